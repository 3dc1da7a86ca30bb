// Several runs overlaid: loss and accuracy per epoch, one colour per run, and their settings side by side.
"use strict";
(async function () {
  const D = window.Descent, el = D.el, page = document.getElementById("page");
  await D.header("runs");
  const ids = (D.query("ids") || "").split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (ids.length < 2 || ids.some((s) => !/^\d+$/.test(s)))
    return D.fail(page, new Error(`Compare needs two or more run ids, e.g. /compare?ids=1,2; got '${D.query("ids") || ""}'.`));
  let runs;
  try { runs = await Promise.all(ids.map((i) => D.api("/api/runs/" + i))); } catch (e) { return D.fail(page, e); }
  const curves = el("section", { class: "grid2" });
  const keys = ["model", "optimizer", "schedule", "data", "batch_size", "epochs", "seed"];
  D.set(page, el("h1", {}, "Compare runs " + ids.join(", ")),
    el("div", { class: "card" }, el("table", { class: "data", "aria-label": "compared runs" },
      el("thead", {}, el("tr", {}, el("th", {}, "run"), el("th", {}, "status"), keys.map((k) => el("th", {}, k.replace("_", " "))), el("th", { class: "num" }, "best accuracy"))),
      el("tbody", {}, runs.map((r, i) => el("tr", {},
        el("td", {}, el("span", { class: "legend-swatch", style: `background:${D.palette[i % 10]}` }), el("a", { href: "/runs/" + r.id }, "run " + r.id)),
        el("td", {}, D.status(r.status)), keys.map((k) => el("td", {}, String((r.config || {})[k] ?? "–"))), el("td", { class: "num" }, D.pct(r.best_accuracy))))))),
    curves);
  // uPlot shares one x array: the union of the epochs, with gaps where a run has none.
  const xs = [...new Set(runs.flatMap((r) => r.epochs.map((e) => e.epoch)))].sort((a, b) => a - b);
  const col = (r, k) => { const by = new Map(r.epochs.map((e) => [e.epoch, e[k]])); return xs.map((x) => (by.has(x) ? by.get(x) : null)); };
  const over = (k, dash) => runs.map((r, i) => ({ label: `run ${r.id}`, values: col(r, k), color: D.palette[i % 10], dash }));
  D.lineChart(curves, { title: "Validation accuracy", xLabel: "epoch", yLabel: "accuracy", points: true }, xs, over("val_accuracy"));
  D.lineChart(curves, { title: "Training accuracy", xLabel: "epoch", yLabel: "accuracy", points: true }, xs, over("train_accuracy"));
  D.lineChart(curves, { title: "Validation loss", xLabel: "epoch", yLabel: "loss", points: true }, xs, over("val_loss"));
  D.lineChart(curves, { title: "Training loss", xLabel: "epoch", yLabel: "loss", points: true }, xs, over("train_loss"));
})();
