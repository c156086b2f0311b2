/* Regiotafel: a title box per chosen file on an upload form.
 *
 * Progressive enhancement. Without a script the form has one textarea "Titels, één per regel", in
 * the order of the files, and the server titles a file without a line by its name. With this script,
 * choosing files shows one labelled text box per file, filled in with the file's name without its
 * extension (or with the line already typed for it, e.g. after a refused form), and the textarea is
 * hidden and kept in step: the server reads the same field either way.
 *
 * Loaded as a file (the Content-Security-Policy allows no inline script).
 */
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-upload-titles]");
  Array.prototype.forEach.call(forms, function (form) {
    var input = form.querySelector("input[type=file][data-titles-for]");
    var textarea = input && document.getElementById(input.getAttribute("data-titles-for"));
    if (!input || !textarea) {
      return;
    }
    var holder = textarea.closest(".field") || textarea;
    var legend = form.getAttribute("data-titles-legend") || "Titels";
    var labelText = form.getAttribute("data-titles-label") || "{file}";
    var boxes = null;

    function stem(name) {
      var base = name.split(/[\\/]/).pop();
      var dot = base.lastIndexOf(".");
      return (dot > 0 ? base.slice(0, dot) : base).trim();
    }

    function sync() {
      if (!boxes) {
        return;
      }
      var values = Array.prototype.map.call(boxes.querySelectorAll("input"), function (box) {
        return box.value.replace(/[\r\n]+/g, " ");
      });
      textarea.value = values.join("\n");
    }

    function build() {
      if (boxes) {
        boxes.remove();
        boxes = null;
      }
      var files = input.files || [];
      if (!files.length) {
        holder.hidden = false;
        return;
      }
      var typed = textarea.value.split("\n");
      boxes = document.createElement("fieldset");
      boxes.className = "field upload-titles";
      var caption = document.createElement("legend");
      caption.textContent = legend;
      boxes.appendChild(caption);
      Array.prototype.forEach.call(files, function (file, index) {
        var row = document.createElement("div");
        row.className = "upload-title";
        var id = textarea.id + "-" + (index + 1);
        var label = document.createElement("label");
        label.setAttribute("for", id);
        label.textContent = labelText.replace("{file}", file.name);
        var box = document.createElement("input");
        box.type = "text";
        box.id = id;
        box.maxLength = 200;
        box.value = (typed[index] || "").trim() || stem(file.name);
        box.addEventListener("input", sync);
        row.appendChild(label);
        row.appendChild(box);
        boxes.appendChild(row);
      });
      holder.hidden = true;
      holder.parentNode.insertBefore(boxes, holder);
      sync();
    }

    input.addEventListener("change", build);
    form.addEventListener("submit", sync);
    if (input.files && input.files.length) {
      build(); // files chosen before the script ran
    }
    form.setAttribute("data-titles-ready", "");
  });
})();
