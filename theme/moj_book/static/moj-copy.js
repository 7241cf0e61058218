// A "Copy code" button in each code block (on a desktop in its corner, else under its code), with a status message that
// screen readers announce. No dependencies; works offline.
(function () {
  "use strict";
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }
  document.querySelectorAll("[data-app-copy] pre").forEach(function (pre) {
    var bar = document.createElement("div");
    bar.className = "app-copy";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary";
    button.textContent = "Copy code";
    var which = document.createElement("span");
    which.className = "govuk-visually-hidden";
    which.textContent = " (" + (pre.getAttribute("aria-label") || "code") + ")";
    button.appendChild(which);
    var status = document.createElement("span");
    status.className = "app-copy__status";
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      copy(pre.innerText.replace(/\n$/, "")).then(
        function () { status.textContent = "Code copied"; },
        function () { status.textContent = "Could not copy: select the code and copy it"; }
      );
      setTimeout(function () { status.textContent = ""; }, 4000);
    });
    bar.appendChild(button);
    bar.appendChild(status);
    pre.closest("[data-app-copy]").appendChild(bar);
  });
})();
