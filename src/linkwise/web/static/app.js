// linkwise pages: small helpers on top of htmx. No third-party code but the vendored files.
(function () {
  "use strict";

  // htmx swaps nothing on 4xx/5xx by default; show the server's error page text instead.
  document.addEventListener("htmx:responseError", function (event) {
    var flash = document.getElementById("flash");
    if (!flash) return;
    var doc = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
    var card = doc.querySelector(".error-page") || doc.querySelector("[data-error]");
    flash.className = "flash error";
    flash.textContent = card ? card.textContent.replace(/\s+/g, " ").trim()
                             : "The request failed (" + event.detail.xhr.status + ").";
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var flash = document.getElementById("flash");
    if (flash) { flash.className = ""; flash.textContent = ""; }
  });

  // Keyboard shortcuts: an element with data-key="s" is clicked when "s" is pressed outside
  // a text field; "/" focuses the element with data-focus-key="/".
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
                            target.tagName === "SELECT" || target.isContentEditable);
    if (typing) return;
    var focus = document.querySelector('[data-focus-key="' + CSS.escape(event.key) + '"]');
    if (focus) { event.preventDefault(); focus.focus(); return; }
    var button = document.querySelector('[data-key="' + CSS.escape(event.key) + '"]');
    if (button && !button.disabled) { event.preventDefault(); button.click(); }
  });

  // Charts: any element with data-vega-spec is rendered with the vendored vega-embed.
  function renderCharts(root) {
    if (typeof vegaEmbed === "undefined") return;
    (root || document).querySelectorAll("[data-vega-spec]").forEach(function (el) {
      if (el.dataset.rendered) return;
      el.dataset.rendered = "1";
      vegaEmbed(el, JSON.parse(el.dataset.vegaSpec), {actions: false, renderer: "svg"})
        .catch(function (err) { el.textContent = "Chart could not be drawn: " + err; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { renderCharts(event.target); });
})();
