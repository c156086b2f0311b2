// The API's documentation page: Swagger UI (vendored, core/static/vendor/swagger-ui) renders the
// OpenAPI document named by the page. No validator badge: it would call a server outside ours.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var target = document.getElementById("swagger-ui");
  if (!target || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: target.dataset.spec,
    domNode: target,
    deepLinking: false,
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
  // The page's own list is for readers without script; with it, Swagger UI shows the same.
  var plain = document.getElementById("operations-plain");
  if (plain) {
    plain.removeAttribute("open");
  }
});
