// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // A click on a citation number opens the exact supporting passage in a dialog.
  function openPassage(link) {
    var target = document.getElementById(link.getAttribute("href").slice(1));
    var ref = document.getElementById(link.dataset.ref);
    var dialog = document.getElementById("passage-dialog");
    if (!target || !ref || !dialog || typeof dialog.showModal !== "function") return false;
    var body = dialog.querySelector(".dialog-body");
    body.textContent = "";
    var type = ref.querySelector(".ref-type");
    var title = ref.querySelector(".ref-title");
    var meta = ref.querySelector(".ref-meta");
    var label = document.createElement("p");
    label.className = "dialog-ref";
    label.textContent = "Reference " + link.textContent + (type ? " · " + type.textContent : "");
    body.appendChild(label);
    if (title) body.appendChild(title.cloneNode(true));
    if (meta) body.appendChild(meta.cloneNode(true));
    var quote = target.matches(".passage") ? target.querySelector("blockquote") : null;
    if (quote) {
      var q = quote.cloneNode(true);
      q.className = "dialog-passage";
      body.appendChild(q);
    }
    var jump = document.createElement("a");
    jump.href = "#" + ref.id;
    jump.className = "dialog-jump";
    jump.textContent = "Go to the reference list";
    jump.addEventListener("click", function () { dialog.close(); });
    body.appendChild(jump);
    dialog.showModal();
    return true;
  }

  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest("a.cite");
    if (link && openPassage(link)) { ev.preventDefault(); return; }
    var close = ev.target.closest && ev.target.closest("[data-close]");
    if (close) { close.closest("dialog").close(); return; }
    if (ev.target.tagName === "DIALOG") ev.target.close();  // click on the backdrop
  });

  // In the ask boxes Enter sends the question; Shift+Enter starts a new line.
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.target.matches(".ask-form textarea")) {
      ev.preventDefault();
      if (ev.target.value.trim()) ev.target.form.requestSubmit();
    }
  });

  // htmx: a new turn was appended to the thread; move focus to its title and clear the box.
  document.addEventListener("htmx:afterSwap", function (ev) {
    if (!ev.detail.target || ev.detail.target.id !== "thread") return;
    var turns = document.querySelectorAll("#thread .turn");
    var last = turns[turns.length - 1];
    if (last) {
      var title = last.querySelector(".answer-title");
      if (title) { title.focus({ preventScroll: true }); last.scrollIntoView({ block: "start" }); }
    }
    var form = ev.detail.requestConfig && ev.detail.requestConfig.elt && ev.detail.requestConfig.elt.closest("form");
    if (form && form.reset) form.reset();
    var err = document.getElementById("followup-error");
    if (err) err.textContent = "";
  });

  // htmx: show 4xx errors (empty or too long question) next to the box instead of failing silently.
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var status = ev.detail.xhr.status;
    if (status >= 400) {
      ev.detail.shouldSwap = true;
      ev.detail.isError = false;
      ev.detail.target = document.getElementById("followup-error");
      ev.detail.swapOverride = "innerHTML";
    }
  });

  // Generative mode (#15): stream the answer's bullets as each one passes verification, then open the stored
  // answer. Without fetch streaming the form posts to /ask as usual.
  function showLive(form) {
    var live = document.getElementById("live-answer");
    if (!live) {
      live = document.createElement("section");
      live.id = "live-answer";
      live.className = "live-answer";
      live.setAttribute("aria-live", "polite");
      form.insertAdjacentElement("afterend", live);
    }
    live.textContent = "";
    var note = document.createElement("p");
    note.className = "help";
    note.textContent = "Writing the answer; each statement appears once it has been checked against its sources…";
    live.appendChild(note);
    var list = document.createElement("ul");
    live.appendChild(list);
    return { note: note, list: list };
  }

  function handle(name, data, live) {
    if (name === "bullet") {
      var li = document.createElement("li");
      li.textContent = data.text;
      live.list.appendChild(li);
    } else if (name === "done") {
      window.location.assign(data.url);
    } else if (name === "error") {
      live.note.textContent = data.error + (data.hint ? " " + data.hint : "");
      live.note.className = "form-error";
    }
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches("form.ask-form[action='/ask']")) return;
    var mode = form.querySelector("input[name=mode]:checked");
    if (!mode || mode.value !== "generative" || !window.fetch || !window.TextDecoder || !window.ReadableStream) return;
    ev.preventDefault();
    var live = showLive(form);
    fetch("/ask/stream", { method: "POST", body: new FormData(form), credentials: "same-origin" }).then(function (r) {
      if (!r.ok || !r.body) { form.submit(); return; }
      var reader = r.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) return;
          buffer += decoder.decode(chunk.value, { stream: true });
          var parts = buffer.split("\n\n");
          buffer = parts.pop();
          parts.forEach(function (block) {
            var name = "message", data = "";
            block.split("\n").forEach(function (line) {
              if (line.indexOf("event: ") === 0) name = line.slice(7);
              else if (line.indexOf("data: ") === 0) data += line.slice(6);
            });
            if (data) handle(name, JSON.parse(data), live);
          });
          return pump();
        });
      }
      return pump();
    }).catch(function () { form.submit(); });
  });
})();
