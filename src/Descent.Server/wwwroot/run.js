// A run's page: its configuration, loss / accuracy / learning-rate curves that grow live while it trains (server-sent
// events), per-class accuracy and the confusion matrix of its checkpoint, and the --diagnose report.
"use strict";
(async function () {
  const D = window.Descent, el = D.el, page = document.getElementById("page");
  await D.header("runs");
  const id = location.pathname.split("/").pop();
  document.title = `Run ${id} · Descent`;
  const head = el("section"), curves = el("section", { class: "grid2" }), evaluation = el("section"), diagnostics = el("section");
  D.set(page, head, curves, evaluation, diagnostics);
  let charts = null, evaluatedAt = null, lastStatus = null;

  /** The x values and named series of the epochs. */
  function series(run) {
    const e = run.epochs || [];
    const xs = e.map((m) => m.epoch);
    const col = (k) => e.map((m) => m[k]);
    const has = (k) => e.some((m) => D.num(m[k]) !== null);
    const regression = has("train_rmse");
    return {
      xs,
      loss: [{ label: "train loss", values: col("train_loss") }, ...(has("val_loss") ? [{ label: "validation loss", values: col("val_loss") }] : [])],
      quality: regression
        ? [{ label: "train RMSE", values: col("train_rmse") }, { label: "validation RMSE", values: col("val_rmse") }]
        : [{ label: "train accuracy", values: col("train_accuracy") }, ...(has("val_accuracy") ? [{ label: "validation accuracy", values: col("val_accuracy") }] : [])],
      lr: [{ label: "learning rate", values: col("learning_rate") }],
      regression,
    };
  }

  function drawHead(run) {
    const c = run.config || {}, r = run.results || {};
    const facts = [["model", c.model], ["optimizer", c.optimizer], ["schedule", c.schedule], ["data", c.data], ["batch size", c.batch_size],
      ["seed", c.seed], ["test accuracy", r.test_accuracy !== undefined && r.test_accuracy !== null ? D.pct(r.test_accuracy) : null],
      ["test loss", r.test_loss !== undefined && r.test_loss !== null ? D.fmt(r.test_loss) : null], ["checkpoint", run.checkpoint_path]]
      .filter(([, v]) => v !== undefined && v !== null);
    D.set(head, 
      el("h1", {}, `Run ${run.id}${run.name ? " · " + run.name : ""} `, D.status(run.status)),
      el("p", {}, run.status === "running" ? el("span", { class: "live", id: "live" }, "live") : null, " ",
        el("span", { id: "epochs" }, `epoch ${run.epoch_count}${c.epochs ? " of " + c.epochs : ""}`),
        ` · ${D.duration(run.duration_seconds)} · started ${new Date(run.created_at).toLocaleString()}`,
        run.best_accuracy !== null ? ` · best accuracy ${D.pct(run.best_accuracy)}` : ""),
      run.message ? el("p", { class: run.status === "failed" || run.status === "diverged" ? "error" : "muted" }, run.message) : null,
      el("div", { class: "card" }, el("table", { class: "data" }, el("tbody", {}, facts.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, String(v))))))));
  }

  function drawCurves(run) {
    const s = series(run);
    if (!charts) {
      D.set(curves, );
      charts = {
        loss: D.lineChart(curves, { title: "Loss", xLabel: "epoch", yLabel: "loss" }, s.xs, s.loss),
        quality: D.lineChart(curves, { title: s.regression ? "RMSE" : "Accuracy", xLabel: "epoch", yLabel: s.regression ? "RMSE" : "accuracy" }, s.xs, s.quality),
        lr: D.lineChart(curves, { title: "Learning rate", xLabel: "epoch", yLabel: "learning rate" }, s.xs, s.lr),
      };
    } else {
      charts.loss.update(s.xs, s.loss);
      charts.quality.update(s.xs, s.quality);
      charts.lr.update(s.xs, s.lr);
    }
  }

  async function drawEvaluation(run) {
    if (!run.checkpoint_path || run.epoch_count === 0) {
      D.set(evaluation, el("h2", {}, "Per-class accuracy and confusion matrix"), el("p", { class: "muted" }, run.status === "running" ? "After the first epoch's checkpoint." : "This run recorded no checkpoint to evaluate."));
      return;
    }
    if (evaluatedAt === run.epoch_count + run.status) return;
    evaluatedAt = run.epoch_count + run.status;
    if (run.status === "running") {
      D.set(evaluation, el("h2", {}, "Per-class accuracy and confusion matrix"),
        el("p", {}, el("button", { type: "button", onclick: () => { evaluatedAt = null; drawEvaluationNow(run); } }, "Evaluate the latest checkpoint"),
          el("span", { class: "muted" }, " (the test set through the last saved epoch; shown at the end by itself)")));
      return;
    }
    await drawEvaluationNow(run);
  }

  async function drawEvaluationNow(run) {
    D.set(evaluation, el("h2", {}, "Per-class accuracy and confusion matrix"), el("p", { class: "muted" }, "Evaluating the checkpoint on the test set…"));
    let ev;
    try { ev = await D.api(`/api/runs/${run.id}/evaluation`); } catch (e) { return evaluation.append(el("p", { class: "muted" }, e.message)); }
    const k = ev.classes.length, max = Math.max(...ev.confusion.flat(), 1);
    const cm = el("table", { class: "cm", "aria-label": "confusion matrix" },
      el("thead", {}, el("tr", {}, el("th", {}, "true \\ predicted"), ev.classes.map((c, j) => el("th", { title: c }, j)))),
      el("tbody", {}, ev.confusion.map((row, i) => el("tr", {}, el("th", { title: ev.classes[i] }, ev.classes[i] === String(i) ? ev.classes[i] : `${i} ${ev.classes[i]}`),
        row.map((n, j) => {
          const a = n / max, diag = i === j;
          const bg = diag ? `rgba(22,163,74,${0.12 + 0.8 * a})` : n === 0 ? "transparent" : `rgba(220,38,38,${0.1 + 0.85 * a})`;
          return el("td", { style: `background:${bg};color:${a > 0.55 ? "#fff" : "inherit"}`, title: `true ${ev.classes[i]}, predicted ${ev.classes[j]}: ${n}` }, n);
        })))));
    const bars = el("table", { class: "data", "aria-label": "per-class accuracy" }, el("tbody", {}, ev.classes.map((c, i) => el("tr", {},
      el("td", {}, c === String(i) ? c : `${i} ${c}`), el("td", { class: "num" }, D.pct(ev.per_class[i])),
      el("td", { style: "width:50%" }, el("div", { class: "bar", style: `width:${100 * (D.num(ev.per_class[i]) ?? 0)}%` }))))));
    D.set(evaluation, el("h2", {}, "Per-class accuracy and confusion matrix"),
      el("p", { class: "muted" }, `${ev.examples} test examples · accuracy ${D.pct(ev.accuracy)} · loss ${D.fmt(ev.loss)} · checkpoint ${ev.checkpoint}${k > 0 ? "" : ""}`),
      el("div", { class: "grid2" }, el("div", { class: "card" }, bars), el("div", { class: "card", style: "overflow-x:auto" }, cm)));
  }

  function drawDiagnostics(run) {
    const d = run.results && run.results.diagnostics;
    if (!d) {
      D.set(diagnostics, el("h2", {}, "Diagnostics per layer"), el("p", { class: "muted" },
        run.status === "running" ? "At the end of the run, if it was started with --diagnose." : "This run was not started with --diagnose (./descent train --diagnose …)."));
      return;
    }
    const cols = [["layer", "index"], ["kind", "kind"], ["mean", "mean"], ["std", "std"], ["saturated", "saturated_fraction", D.pct], ["dead", "dead_fraction", D.pct],
      ["grad std", "gradient_std"], ["‖∂L/∂W‖", "weight_gradient_norm"], ["‖W‖", "weight_norm"], ["‖ΔW‖/‖W‖", "update_ratio"]];
    D.set(diagnostics, el("h2", {}, "Diagnostics per layer (--diagnose)"),
      el("p", { class: "muted" }, `${d.batches} batches observed · gradient ratio first/last layer ${D.fmt(d.gradient_ratio)}`),
      el("div", { class: "card" }, el("table", { class: "data", "aria-label": "diagnostics" },
        el("thead", {}, el("tr", {}, cols.map(([h], i) => el("th", { class: i > 1 ? "num" : null }, h)))),
        el("tbody", {}, d.layers.map((l) => el("tr", {}, cols.map(([, k, f], i) => el("td", { class: i > 1 ? "num" : null }, (f || D.fmt)(l[k])))))))),
      el("ul", {}, (d.advice || []).map((a) => el("li", { class: a.level === "Warning" ? "error" : null }, `${a.finding}: ${a.suggestion}`))),
      (d.advice || []).length === 0 ? el("p", { class: "muted" }, "No rule fired: activations, gradients and updates look healthy.") : null);
  }

  function draw(run) {
    drawHead(run);
    drawCurves(run);
    drawEvaluation(run);
    if (run.status !== lastStatus) drawDiagnostics(run);
    lastStatus = run.status;
  }

  let run;
  try { run = await D.api("/api/runs/" + id); } catch (e) { return D.fail(page, e); }
  draw(run);
  if (run.status === "running") {
    const events = new EventSource(`/api/runs/${id}/events`);
    events.addEventListener("run", (m) => {
      const r = JSON.parse(m.data);
      draw(r);
      if (r.status !== "running") events.close();
    });
  }
})();
