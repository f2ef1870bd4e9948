/* The evidence record's admin page: while a capture of its source is queued or running, follow it
   without a reload. The captures overview carries its own address (data-captures-url); every few
   seconds the fragment is fetched again and swapped in, until the capture has finished (the new
   fragment has no address) or the page is left. Without JavaScript, reloading shows the same. */
(function () {
  "use strict";
  var SECONDS = 3;
  function follow() {
    var box = document.querySelector(".captures-overview[data-captures-url]");
    if (!box) { return; }
    setTimeout(function () {
      fetch(box.getAttribute("data-captures-url"), { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector(".captures-overview");
          if (fresh) { box.replaceWith(fresh); }
          follow();
        })
        .catch(function () { follow(); });
    }, SECONDS * 1000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", follow);
  } else {
    follow();
  }
}());
