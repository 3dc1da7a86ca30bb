// The home page: the runs (live while any runs), the studies, and the lab's chapters.
"use strict";
(async function () {
  const D = window.Descent, el = D.el, page = document.getElementById("page");
  await D.header("runs");
  const runsBox = el("section", { id: "runs" }), studiesBox = el("section", { id: "studies" }), labBox = el("section", { id: "lab" });
  D.set(page, el("h1", {}, "Descent"), runsBox, studiesBox, labBox);

  let shownRuns = "", shownStudies = "";
  async function drawRuns() {
    let runs;
    try { runs = await D.api("/api/runs"); } catch (e) { return D.fail(runsBox, e); }
    const running = runs.some((r) => r.status === "running");
    const key = JSON.stringify(runs.map((r) => [r.id, r.status, r.epoch_count, r.best_accuracy, running ? 0 : r.duration_seconds]));
    if (key === shownRuns) return running;   // redraw only on change: the selection and the keyboard focus stay
    shownRuns = key;
    const checked = new Set([...runsBox.querySelectorAll("input[type=checkbox]:checked")].map((c) => c.value));
    const compare = el("button", { type: "button", disabled: true, onclick: () => {
      const ids = [...runsBox.querySelectorAll("input[type=checkbox]:checked")].map((c) => c.value);
      location.href = "/compare?ids=" + ids.join(",");
    } }, "Compare selected");
    const table = el("table", { class: "data", "aria-label": "runs" },
      el("thead", {}, el("tr", {}, ["", "run", "status", "model", "optimizer", "data", "epochs", "best accuracy", "duration", "started"].map((h, i) => el("th", { class: i >= 6 && i <= 8 ? "num" : null }, h)))),
      el("tbody", {}, runs.map((r) => {
        const c = r.config || {};
        const box = el("input", { type: "checkbox", value: r.id, checked: checked.has(String(r.id)), "aria-label": "compare run " + r.id, onchange: () => {
          compare.disabled = runsBox.querySelectorAll("input[type=checkbox]:checked").length < 2;
        } });
        return el("tr", {},
          el("td", {}, box),
          el("td", {}, el("a", { href: "/runs/" + r.id }, "run " + r.id + (r.name ? " · " + r.name : ""))),
          el("td", {}, D.status(r.status)),
          el("td", {}, String(c.model ?? "–")), el("td", {}, String(c.optimizer ?? "–")), el("td", {}, String(c.data ?? "–")),
          el("td", { class: "num" }, `${r.epoch_count}${c.epochs ? " / " + c.epochs : ""}`),
          el("td", { class: "num" }, D.pct(r.best_accuracy)),
          el("td", { class: "num" }, D.duration(r.duration_seconds)),
          el("td", {}, new Date(r.created_at).toLocaleString()));
      })));
    D.set(runsBox, el("h2", {}, "Runs"),
      runs.length === 0
        ? el("p", { class: "muted" }, "No runs yet. Start one with ./descent train; it appears here while it trains.")
        : el("div", { class: "card" }, table, el("p", {}, compare)));
    compare.disabled = checked.size < 2;
    return running;
  }

  async function drawStudies() {
    let studies;
    try { studies = await D.api("/api/studies"); } catch (e) { return D.fail(studiesBox, e); }
    const key = JSON.stringify(studies);
    if (key === shownStudies) return studies.some((s) => s.running > 0);
    shownStudies = key;
    D.set(studiesBox, el("h2", {}, "Studies"),
      studies.length === 0
        ? el("p", { class: "muted" }, "No studies yet. Start one with ./descent tune.")
        : el("div", { class: "card" }, el("table", { class: "data", "aria-label": "studies" },
            el("thead", {}, el("tr", {}, ["study", "objective", "trials", "complete", "running", "best"].map((h, i) => el("th", { class: i >= 2 ? "num" : null }, h)))),
            el("tbody", {}, studies.map((s) => el("tr", {},
              el("td", {}, el("a", { href: "/studies/" + encodeURIComponent(s.name) }, s.name)),
              el("td", {}, `${s.direction} ${s.metric}`),
              el("td", { class: "num" }, s.trials), el("td", { class: "num" }, s.complete), el("td", { class: "num" }, s.running),
              el("td", { class: "num" }, D.fmt(s.best))))))));
    return studies.some((s) => s.running > 0);
  }

  const lessons = await D.lessons().catch(() => []);
  D.set(labBox, el("h2", {}, "The interactive lab"), el("div", { class: "grid3" }, lessons.map((l) =>
    el("a", { class: "card", href: "/lab/" + l.id, style: "text-decoration:none;color:inherit" },
      el("div", { class: "muted" }, l.chapter), el("strong", {}, l.title), el("div", { class: "formula", style: "font-size:14px" }, l.formula)))));

  // Live: while something runs, the lists refresh every 2 s.
  for (;;) {
    const [a, b] = await Promise.all([drawRuns(), drawStudies()]);
    await new Promise((r) => setTimeout(r, a || b ? 2000 : 10000));
  }
})();
