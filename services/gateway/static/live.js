// The console's one script: keeps a live region of a page (an element with `data-live`, the
// URL of its server-sent events) up to date with the boards the server draws, and says in
// the element with `data-live-state` whether the page is following live. Without it (or
// without EventSource) the page still works: it is right on every reload.
"use strict";
(function () {
  var region = document.querySelector("[data-live]");
  if (!region || !window.EventSource) {
    return;
  }
  var state = document.querySelector("[data-live-state]");
  var say = function (text) {
    if (state) {
      state.textContent = text;
    }
  };
  var source = new EventSource(region.getAttribute("data-live"));
  source.addEventListener("board", function (event) {
    var fresh = document.createElement("template");
    fresh.innerHTML = event.data;
    region.replaceChildren(fresh.content);
    region.setAttribute("data-live-event", event.lastEventId);
  });
  source.addEventListener("open", function () {
    say(state && state.getAttribute("data-live-on"));
  });
  source.addEventListener("error", function () {
    say(state && state.getAttribute("data-live-lost"));
  });
})();
