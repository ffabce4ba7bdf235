// The search page: arrow keys move from the box through the results and back; Enter on a
// result follows its link (the browser's own behaviour for a focused link).
(function () {
  "use strict";
  function links() {
    return Array.prototype.slice.call(document.querySelectorAll("#result-list .result-link"));
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var box = document.getElementById("search-q");
    var all = links();
    if (!box || !all.length) return;
    var at = all.indexOf(document.activeElement);
    if (document.activeElement !== box && at < 0) return;
    event.preventDefault();
    if (event.key === "ArrowDown") {
      all[Math.min(at + 1, all.length - 1)].focus();
    } else if (at <= 0) {
      box.focus();
    } else {
      all[at - 1].focus();
    }
  });
})();
