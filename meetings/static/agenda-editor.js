/* Regiotafel: drag and drop on the agenda, for the secretariat.
 *
 * Progressive enhancement: every item on the meeting page has a small form "Naar plaats n" that
 * works without JavaScript. Dragging an item (by its handle) fills in that item's form with the
 * place where it was dropped and sends it, so a drag is the very same POST (with its CSRF token,
 * through the same service) as choosing the place by hand. The page then reloads from the server,
 * which numbers the agenda as the reader sees it.
 *
 * Loaded as a file (the Content-Security-Policy allows no inline script), with SortableJS
 * (MIT, vendored in vendor/sortablejs/).
 */
(function () {
  "use strict";
  var list = document.querySelector("ol.agenda[data-sortable]");
  if (!list || typeof window.Sortable === "undefined") {
    return;
  }
  var items = list.querySelectorAll(":scope > li");
  Array.prototype.forEach.call(items, function (item) {
    var head = item.querySelector(".agenda-head");
    if (!head || !item.querySelector("form.move-form")) {
      return;
    }
    var handle = document.createElement("span");
    handle.className = "drag-handle";
    handle.setAttribute("aria-hidden", "true"); // keyboard and screen reader: the "Naar plaats" form
    handle.title = list.getAttribute("data-handle-label") || "";
    handle.textContent = "\u2630";
    head.insertBefore(handle, head.firstChild);
  });
  list.classList.add("is-sortable");
  window.Sortable.create(list, {
    handle: ".drag-handle",
    draggable: "li",
    animation: 150,
    ghostClass: "drag-ghost",
    chosenClass: "drag-chosen",
    onEnd: function (event) {
      if (event.oldIndex === event.newIndex) {
        return;
      }
      var form = event.item.querySelector("form.move-form");
      if (!form) {
        return;
      }
      form.elements.position.value = String(event.newIndex + 1);
      list.setAttribute("aria-busy", "true");
      list.classList.add("is-saving");
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }
  });
})();
