// The practice page's own behaviour, all in the browser: the user id kept in local storage, the answer
// timer, reading questions aloud with the browser's speech synthesis, and scrolling to what changed.
(function () {
  const USER_KEY = "interview-practice-user";
  const ALOUD_KEY = "interview-practice-read-aloud";

  // A random id for this browser, kept in local storage (never a cookie): it ties practice history together.
  window.practiceUserId = function () {
    let id = null;
    try { id = window.localStorage.getItem(USER_KEY); } catch (e) { /* storage disabled */ }
    if (!id || !/^u-[0-9a-f]{24}$/.test(id)) {
      const bytes = new Uint8Array(12);
      window.crypto.getRandomValues(bytes);
      id = "u-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      try { window.localStorage.setItem(USER_KEY, id); } catch (e) { /* this visit only */ }
    }
    return id;
  };

  function fmt(seconds) {
    const m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + String(s).padStart(2, "0");
  }
  function range(lo, hi) {
    const min = (v) => (v % 60 ? fmt(v) : String(v / 60)) ;
    return min(lo) + "–" + min(hi) + " min";
  }

  let qkey = null, startedAt = 0, spokenKey = null, cards = 0, lastError = "";
  function tick() {
    // Gradio points each tab at a panel it has not rendered yet: an aria-controls to nothing is invalid.
    document.querySelectorAll("button[role=tab][aria-controls]").forEach((b) => {
      if (!document.getElementById(b.getAttribute("aria-controls"))) b.removeAttribute("aria-controls");
    });
    const q = document.getElementById("current-q");
    const toggle = document.getElementById("read-aloud");
    if (toggle && !toggle.dataset.bound) {
      toggle.dataset.bound = "1";
      try { toggle.checked = window.localStorage.getItem(ALOUD_KEY) !== "off"; } catch (e) { /* default on */ }
      toggle.addEventListener("change", () => {
        try { window.localStorage.setItem(ALOUD_KEY, toggle.checked ? "on" : "off"); } catch (e) { /* ignore */ }
        if (!toggle.checked && window.speechSynthesis) window.speechSynthesis.cancel();
      });
    }
    // Timer: counts from when the question has fully arrived; a gentle guide, it never stops the answer.
    if (q && q.dataset.qkey && q.dataset.complete === "1") {
      if (q.dataset.qkey !== qkey) { qkey = q.dataset.qkey; startedAt = Date.now(); }
      const timer = document.getElementById("answer-timer");
      const lo = parseInt(q.dataset.min, 10), hi = parseInt(q.dataset.max, 10);
      const elapsed = Math.floor((Date.now() - startedAt) / 1000);
      if (timer) {
        let note = "suggested " + range(lo, hi);
        if (elapsed > hi) note = "a good moment to wrap up";
        else if (elapsed >= lo) note = "a good length";
        timer.textContent = "Time " + fmt(elapsed) + " · " + note;
        timer.classList.toggle("over", elapsed > hi);
      }
      // Read aloud once per question, when it has fully arrived and the toggle is on.
      if (q.dataset.qkey !== spokenKey && toggle && toggle.checked && window.speechSynthesis) {
        spokenKey = q.dataset.qkey;
        const text = (q.querySelector(".q-text") || {}).textContent || "";
        if (text) {
          const u = new SpeechSynthesisUtterance(text);
          u.lang = "en-US";
          window.speechSynthesis.cancel();
          window.speechSynthesis.speak(u);
        }
      }
    }
    // Scroll to what changed: an error next to its action, or the newest answer card with its scores.
    const err = document.querySelector(".ui-error");
    const errText = err ? err.textContent : "";
    if (err && errText !== lastError) err.scrollIntoView({ block: "center", behavior: "instant" });
    lastError = errText;
    const turns = document.querySelectorAll("#timeline .turn");
    if (turns.length > cards) turns[turns.length - 1].scrollIntoView({ block: "start", behavior: "instant" });
    cards = turns.length;
  }
  window.setInterval(tick, 250);
})();
