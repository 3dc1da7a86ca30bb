// A study's page: every trial (parameters, state, objective), the best value so far, the objective against each
// parameter on the parameter's own scale, and parallel coordinates; polled every 2 s, so it moves while workers run.
"use strict";
(async function () {
  const D = window.Descent, el = D.el, page = document.getElementById("page");
  await D.header("studies");
  const name = decodeURIComponent(location.pathname.split("/").pop());
  document.title = `Study ${name} · Descent`;
  let shown = "";

  function draw(s) {
    const minimize = s.direction === "minimize";
    const finished = s.trials.filter((t) => t.state === "complete" && D.num(t.value) !== null);
    const best = finished.length === 0 ? null : finished.reduce((a, b) => ((minimize ? b.value < a.value : b.value > a.value) ? b : a));
    const count = (st) => s.trials.filter((t) => t.state === st).length;
    const running = count("running");
    const yLabel = s.metric;

    const table = el("table", { class: "data", "aria-label": "trials" },
      el("thead", {}, el("tr", {}, el("th", { class: "num" }, "trial"), el("th", {}, "state"), el("th", { class: "num" }, yLabel),
        s.space.map((p) => el("th", { class: "num" }, p.name)), el("th", { class: "num" }, "epochs"), el("th", {}, "note"))),
      el("tbody", {}, s.trials.map((t) => el("tr", { class: best && t.number === best.number ? "best" : null },
        el("td", { class: "num" }, t.number), el("td", {}, D.status(t.state)), el("td", { class: "num" }, D.fmt(t.value)),
        s.space.map((p) => el("td", { class: "num" }, typeof t.params[p.name] === "number" ? D.fmt(t.params[p.name]) : String(t.params[p.name] ?? "–"))),
        el("td", { class: "num" }, t.epochs.length), el("td", { class: "muted" }, t.note ?? "")))));

    const charts = el("section", { class: "grid2" });
    const scatters = el("section", { class: "grid3" });
    const parallel = el("section");
    D.set(page, 
      el("h1", {}, `Study ${s.name}`),
      el("p", {}, running > 0 ? el("span", { class: "live" }, `${running} running`) : null,
        ` ${s.direction} ${s.metric} · ${s.trials.length} trials: ${count("complete")} complete, ${count("pruned")} pruned, ${count("failed")} failed`,
        best ? ` · best ${D.fmt(best.value)} (trial ${best.number})` : ""),
      el("h2", {}, "Trials"), el("div", { class: "card", style: "max-height:420px;overflow:auto" }, table),
      charts, el("h2", {}, "Objective against each parameter, on its own scale"), scatters,
      el("h2", {}, "Parallel coordinates"), el("p", { class: "muted" }, "One line per complete trial (a pruned trial stopped early, so its value is not comparable); each axis spans its parameter's search range on the parameter's scale; darker is better."), parallel);

    // Best so far: the objective of each finished trial in order, and the running best.
    const ordered = [...finished].sort((a, b) => a.number - b.number);
    let run = null;
    const bestSoFar = ordered.map((t) => (run = run === null ? t.value : minimize ? Math.min(run, t.value) : Math.max(run, t.value)));
    D.lineChart(charts, { title: "Best value so far", xLabel: "trial", yLabel, points: true }, ordered.map((t) => t.number),
      [{ label: "trial's " + yLabel, values: ordered.map((t) => t.value), color: "#94a3b8", dash: [2, 4] }, { label: "best so far", values: bestSoFar, color: "#16a34a" }]);
    // Learning curves of every trial (the pruners cut on these).
    const maxEpochs = Math.max(0, ...s.trials.map((t) => t.epochs.length));
    const xs = Array.from({ length: maxEpochs }, (_, i) => i + 1);
    D.lineChart(charts, { title: "Each trial per epoch", xLabel: "epoch", yLabel }, xs,
      s.trials.filter((t) => t.epochs.length > 0).slice(-40).map((t, i) => ({ label: "trial " + t.number, values: xs.map((x) => t.epochs[x - 1] ?? null), color: D.palette[i % 10] })));
    for (const p of s.space)
      D.scatter(scatters, p, s.trials.filter((t) => t.value !== null).map((t) => ({
        x: t.params[p.name], unit: t.unit[p.name], y: D.num(t.value), state: t.state, number: t.number, label: `trial ${t.number} (${t.state}): ${yLabel} ${D.fmt(t.value)}`,
      })), { yLabel, best: best && best.number });
    if (finished.length > 0) D.parallel(parallel, s.space, finished, { yLabel, minimize });
    else parallel.append(el("p", { class: "muted" }, "After the first finished trial."));
  }

  for (;;) {
    try {
      const s = await D.api("/api/studies/" + encodeURIComponent(name));
      const key = JSON.stringify(s);
      if (key !== shown) { shown = key; draw(s); }
    } catch (e) { D.fail(page, e); }
    await new Promise((r) => setTimeout(r, 2000));
  }
})();
