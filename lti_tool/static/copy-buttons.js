// Adds a "Copy" button beside each value marked data-copy (the /lti/config page).
// Progressive enhancement: without JavaScript the values are plain text to select.
(function () {
  var labels = document.getElementById("copy-labels");
  if (!labels) {
    return;
  }
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  document.body.appendChild(status);

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copied(button, ok) {
    var said = ok ? labels.dataset.copiedLabel : labels.dataset.failedLabel;
    button.textContent = said;
    status.textContent = said;
    window.setTimeout(function () {
      button.textContent = labels.dataset.copyLabel;
    }, 2000);
  }

  document.querySelectorAll("[data-copy]").forEach(function (value) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary copy-button";
    button.textContent = labels.dataset.copyLabel;
    var labelId = value.dataset.copy;
    if (labelId) {
      button.setAttribute("aria-describedby", labelId);
    }
    button.addEventListener("click", function () {
      var text = value.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { copied(button, true); },
          function () { selectText(value); copied(button, false); }
        );
      } else {
        selectText(value);
        var ok = false;
        try {
          ok = document.execCommand("copy");
        } catch (error) {
          ok = false;
        }
        copied(button, ok);
      }
    });
    value.parentNode.appendChild(button);
  });
})();
