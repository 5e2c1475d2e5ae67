// Drag-and-drop upload: files are sent one at a time, each with its own progress bar and result.
(function () {
  "use strict";
  var zone = document.getElementById("drop");
  if (!zone) { return; }
  var input = document.getElementById("files");
  var list = document.getElementById("results");
  var url = zone.getAttribute("data-url");
  var token = zone.getAttribute("data-csrf");
  var maxBytes = parseInt(zone.getAttribute("data-max-bytes"), 10);
  var queue = [];
  var busy = false;
  var added = 0;

  // a result row; "after" puts it right below another row (an archive's members stay together)
  function row(name, after) {
    var li = document.createElement("li");
    var n = document.createElement("span"); n.className = "name"; n.textContent = name;
    var bar = document.createElement("progress"); bar.max = 100; bar.value = 0;
    var st = document.createElement("span"); st.className = "status muted"; st.textContent = "waiting";
    li.appendChild(n); li.appendChild(bar); li.appendChild(st);
    if (after) { list.insertBefore(li, after.nextSibling); } else { list.appendChild(li); }
    return {li: li, bar: bar, st: st, name: n};
  }

  function show(r, status, text) {
    r.bar.remove();
    r.st.className = "status chip " + (status === "new" ? "good" : status === "failed" ? "bad" : "");
    r.st.textContent = status;
    var why = document.createElement("span"); why.className = "muted small"; why.textContent = text || "";
    r.li.appendChild(why);
  }

  function next() {
    if (busy) { return; }
    var job = queue.shift();
    if (!job) {
      if (added > 0) {
        var p = document.getElementById("after-upload");
        if (p) { p.hidden = false; }
      }
      return;
    }
    busy = true;
    if (job.file.size > maxBytes) {
      show(job.r, "failed", "larger than the upload limit");
      busy = false; next(); return;
    }
    var fd = new FormData();
    fd.append("files", job.file, job.file.name);
    var xhr = new XMLHttpRequest();
    var seen = 0;
    var finished = false;
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRF-Token", token);
    xhr.setRequestHeader("X-Requested-With", "fetch");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-Progress", "ndjson");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { job.r.bar.value = Math.round(100 * e.loaded / e.total); }
      job.r.st.textContent = "uploading";
    };
    xhr.upload.onload = function () { job.r.st.textContent = "analysing"; job.r.bar.removeAttribute("value"); };

    function handle(msg) {
      if (msg.progress !== undefined) {
        // an export: one line per file as the server imports it
        job.r.bar.max = msg.total;
        job.r.bar.value = msg.progress;
        job.r.st.textContent = "analysing " + msg.progress + " of " + msg.total + " · " + msg.source;
      } else if (msg.items) {
        finished = true;
        if (msg.items.length === 0) { show(job.r, "failed", "nothing to import in this file"); }
        var last = job.r.li;
        msg.items.forEach(function (it, i) {
          // an archive's first member used to be shown under the archive's own name ("x.zip
          // skipped" for one walk inside it) and the other members at the end of the list
          var r = i === 0 ? job.r : row(it.source, last);
          if (i === 0) { r.name.textContent = it.source; }
          if (i > 0) { r.bar.value = 100; }
          last = r.li;
          show(r, it.status, it.reason);
          if (it.status === "new") { added += 1; }
        });
      } else if (msg.error) {
        finished = true;
        show(job.r, "failed", msg.error);
      }
    }

    function consume() {
      if (xhr.status !== 200) { return; }
      var text = xhr.responseText;
      var nl = text.indexOf("\n", seen);
      while (nl >= 0) {
        var line = text.slice(seen, nl);
        seen = nl + 1;
        if (line) {
          try { handle(JSON.parse(line)); } catch (err) { /* a partial line waits for the rest */ }
        }
        nl = text.indexOf("\n", seen);
      }
    }

    xhr.onprogress = consume;
    xhr.onload = function () {
      consume();
      if (!finished) {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
        show(job.r, "failed", (data && data.error) || ("the server answered " + xhr.status));
      }
      busy = false; next();
    };
    xhr.onerror = function () { show(job.r, "failed", "the upload was interrupted"); busy = false; next(); };
    xhr.send(fd);
  }

  function add(files) {
    for (var i = 0; i < files.length; i++) {
      queue.push({file: files[i], r: row(files[i].name)});
    }
    next();
  }

  input.addEventListener("change", function () { add(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach(function (ev) {
    zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) { if (e.dataTransfer) { add(e.dataTransfer.files); } });
  var fallback = document.getElementById("upload-submit");
  if (fallback) { fallback.hidden = true; }
})();
