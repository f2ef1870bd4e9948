/* Updates a page that is still changing (a fingerprint report being computed) every few seconds, with
   a checkbox that stops it (WCAG 2.2.1: the reader can turn a time limit off; a <meta> refresh
   cannot be). Without JavaScript the page offers a "Check again" link instead. */
(function () {
  "use strict";
  var box = document.querySelector("[data-auto-refresh]");
  if (!box) { return; }
  var seconds = parseInt(box.getAttribute("data-auto-refresh"), 10) || 15;
  var control = box.querySelector(".auto-refresh-control");
  var toggle = control && control.querySelector("input[type=checkbox]");
  if (!toggle) { return; }
  var key = "provenance:auto-refresh-off";
  var timer = null;
  function schedule() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (toggle.checked) { timer = setTimeout(function () { window.location.reload(); }, seconds * 1000); }
  }
  try { toggle.checked = window.sessionStorage.getItem(key) !== "1"; } catch (e) { toggle.checked = true; }
  toggle.addEventListener("change", function () {
    try { window.sessionStorage.setItem(key, toggle.checked ? "0" : "1"); } catch (e) { /* private mode */ }
    schedule();
  });
  control.hidden = false;
  schedule();
}());
