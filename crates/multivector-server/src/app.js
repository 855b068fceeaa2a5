// multivector's web app: follows a running job through /api/jobs/{id} and updates its page
// in place (no reloads), and reads a chosen scenario file into the paste box. Pages work
// without it.
"use strict";

function followJob(box) {
  const id = box.dataset.id;
  const tick = async () => {
    let j;
    try {
      const r = await fetch("/api/jobs/" + id, { headers: { accept: "application/json" } });
      j = await r.json();
    } catch (e) {
      setTimeout(tick, 1000);
      return;
    }
    const status = document.getElementById("status");
    if (j.state === "done") {
      status.textContent = "Done: ";
      const a = document.createElement("a");
      a.id = "result";
      a.href = "/runs/" + j.run;
      a.textContent = "run " + j.run;
      status.append(a, ".");
      const bar = box.querySelector("progress");
      if (bar) bar.remove();
      return;
    }
    if (j.state === "failed") {
      status.textContent = "Failed: " + j.error;
      status.className = "error";
      return;
    }
    if (j.state === "running") {
      status.textContent = "Running: " + j.done + " of " + j.draws + " draws.";
      let bar = box.querySelector("progress");
      if (!bar) {
        bar = document.createElement("progress");
        box.append(bar);
      }
      bar.max = Math.max(j.draws, 1);
      bar.value = j.done;
    } else {
      status.textContent = "Waiting for a free slot.";
    }
    setTimeout(tick, 300);
  };
  tick();
}

function readFiles(input) {
  input.addEventListener("change", () => {
    const f = input.files && input.files[0];
    if (!f) return;
    const reader = new FileReader();
    reader.onload = () => {
      document.getElementById("text").value = reader.result;
    };
    reader.readAsText(f);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  // Set once per page load: a test can tell an in-place update from a reload.
  window.multivectorLoaded = (window.multivectorLoaded || 0) + 1;
  const box = document.getElementById("job");
  if (box && box.dataset.live) followJob(box);
  const file = document.getElementById("file");
  if (file) readFiles(file);
});
