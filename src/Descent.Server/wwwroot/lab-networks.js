// Chapters 4–6 on real networks: activations at initialization, vanishing and exploding gradients, and batch norm
// (which trains two networks on the server and streams its progress).
"use strict";
(function () {
  const D = window.Descent, el = D.el;
  const busy = (where, text) => D.set(where, el("span", { class: "live", role: "status" }, text));

  /** Histograms of each layer's activations, side by side (bars of our own SVG). */
  function histograms(where, view) {
    const W = 120, H = 70;
    D.set(where, el("div", { class: "chart-title" }, `Activations per layer (range ${D.fmt(view.histogram_low)} to ${D.fmt(view.histogram_high)})`),
      el("div", { style: "display:flex;flex-wrap:wrap;gap:8px" }, view.layers.map((l) => {
        const g = D.svg("svg", { width: W, height: H + 16, role: "img", "aria-label": `layer ${l.layer} histogram` });
        const max = Math.max(...l.histogram, 1e-9);
        l.histogram.forEach((c, i) => g.append(D.svg("rect", { x: (i * W) / l.histogram.length, y: H - (c / max) * H, width: W / l.histogram.length - 0.5, height: (c / max) * H, fill: "#2563eb" })));
        g.append(D.svg("text", { x: 2, y: H + 13 }, `layer ${l.layer} · std ${D.fmt(l.std, 2)}`));
        return g;
      })));
  }

  D.lab.init = async function (stage) {
    const options = await D.api("/api/lab/options");
    const state = { activation: "tanh", init: "normal", scale: 0.01, depth: 10, width: 200, batch_norm: false };
    const message = el("div"), charts = el("div", { class: "grid2" }), hist = el("div", { class: "card" });
    let std = null, frac = null;
    const go = D.latest(async () => { busy(message, "measuring…"); return D.api("/api/lab/init", state); }, (v) => {
      D.set(message, el("span", { class: "muted" }, v.network));
      const xs = v.layers.map((l) => l.layer);
      const s1 = [{ label: "activation std", values: v.layers.map((l) => l.std) }, { label: "gradient std", values: v.layers.map((l) => l.gradient_std) }];
      const s2 = [{ label: "saturated (tanh/sigmoid)", values: v.layers.map((l) => l.saturated) }, { label: "dead (ReLU)", values: v.layers.map((l) => l.dead) }];
      if (!std) {
        D.set(charts, );
        std = D.lineChart(charts, { title: "Spread per layer (log)", xLabel: "layer", yLabel: "std", log: true, points: true }, xs, s1);
        frac = D.lineChart(charts, { title: "Saturated and dead units", xLabel: "layer", yLabel: "share", points: true, yRange: [0, 1] }, xs, s2);
      } else { std.update(xs, s1); frac.update(xs, s2); }
      histograms(hist, v);
    }, message);
    const scale = D.slider({ id: "scale", label: "scale (σ of normal; gain of Xavier)", min: 1e-3, max: 10, value: state.scale, log: true, onchange: (v) => { state.scale = v; go(); } });
    const scaleUsed = () => { scale.input.disabled = state.init === "he"; if (state.init === "he") { state.scale = 1; scale.set(1); } };
    stage.append(el("div", { class: "card controls" },
      D.select({ id: "activation", label: "activation", options: options.activations, value: state.activation, onchange: (v) => { state.activation = v; go(); } }),
      D.select({ id: "init", label: "initializer", options: options.initializers, value: state.init, onchange: (v) => { state.init = v; scaleUsed(); go(); } }),
      scale,
      D.slider({ id: "depth", label: "depth (layers)", min: 1, max: 30, value: state.depth, onchange: (v) => { state.depth = v; go(); } }),
      D.slider({ id: "width", label: "width", min: 10, max: 500, step: 10, value: state.width, onchange: (v) => { state.width = v; go(); } }),
      el("label", { for: "bn" }, "batch norm", el("input", { id: "bn", type: "checkbox", onchange: (e) => { state.batch_norm = e.target.checked; go(); } }))),
      message, charts, hist);
    go();
  };

  D.lab.vanishing = async function (stage) {
    const options = await D.api("/api/lab/options");
    const state = { activation: "sigmoid", depth: 20, kind: "plain", width: 100 };
    const message = el("div"), charts = el("div"), verdict = el("p");
    let chart = null;
    const go = D.latest(async () => { busy(message, "measuring…"); return D.api("/api/lab/vanishing", state); }, (v) => {
      D.set(message, el("span", { class: "muted" }, v.network));
      const n = v.gradient_norms.length, xs = v.gradient_norms.map((_, i) => i + 1), last = v.gradient_norms[n - 1];
      const series = [{ label: "‖∂L/∂Wₗ‖ / ‖∂L/∂W_L‖", values: v.gradient_norms.map((g) => g / last) },
        { label: "0.25^(L − l) (sigmoid′ ≤ 1/4)", values: xs.map((l) => 0.25 ** (n - l)), color: "#111", dash: [3, 4] }];
      if (!chart) { D.set(charts, ); chart = D.lineChart(charts, { title: "Gradient norm per layer, relative to the last (log)", xLabel: "layer l", yLabel: "ratio", log: true, height: 320 }, xs, series); }
      else chart.update(xs, series);
      D.set(verdict, el("strong", {}, v.verdict), ` · first-to-last ratio ${D.fmt(v.first_to_last)} · output std ${D.fmt(v.output_std)} · `, el("span", { class: "muted" }, v.criterion));
    }, message);
    stage.append(el("div", { class: "card controls" },
      D.select({ id: "activation", label: "activation", options: options.activations, value: state.activation, onchange: (v) => { state.activation = v; go(); } }),
      D.select({ id: "kind", label: "blocks", options: options.kinds, value: state.kind, onchange: (v) => { state.kind = v; go(); } }),
      D.slider({ id: "depth", label: "depth (layers)", min: 2, max: 200, value: state.depth, onchange: (v) => { state.depth = v; go(); } }),
      D.slider({ id: "width", label: "width", min: 10, max: 300, step: 10, value: state.width, onchange: (v) => { state.width = v; go(); } })),
      message, verdict, charts);
    go();
  };

  D.lab.batchnorm = async function (stage) {
    const options = await D.api("/api/lab/options");
    const state = { activation: "tanh", init: "normal", scale: 0.01, depth: 6, epochs: 15 };
    const bar = el("div"), progress = el("div", { class: "progress", role: "progressbar", "aria-label": "training progress", "aria-valuemin": 0, "aria-valuemax": 100 }, bar);
    const message = el("div"), charts = el("div", { class: "grid2" });
    let source = null;
    function train() {
      source?.close();
      const q = new URLSearchParams(Object.entries(state).map(([k, v]) => [k, String(v)]));
      busy(message, "training without and with batch norm…");
      bar.style.width = "0%";
      source = new EventSource("/api/lab/batchnorm?" + q);
      source.addEventListener("progress", (m) => {
        const p = JSON.parse(m.data), done = (p.network * (p.epochs + 1) + p.epoch + 1) / (p.networks * (p.epochs + 1));
        bar.style.width = `${Math.round(100 * done)}%`;
        progress.setAttribute("aria-valuenow", Math.round(100 * done));
        D.set(message, el("span", { class: "live", role: "status" }, `network ${p.network + 1} of ${p.networks}, epoch ${p.epoch} of ${p.epochs}`));
      });
      source.addEventListener("result", (m) => {
        source.close();
        bar.style.width = "100%";
        const runs = JSON.parse(m.data), xs = runs[0].epochs.map((e) => e.epoch);
        D.set(message, el("span", { class: "muted" }, runs.map((r) => `${r.network}: test accuracy ${D.pct(r.epochs[r.epochs.length - 1].test_accuracy)}`).join(" · ")));
        D.set(charts, );
        const dash = (r) => (r.batch_norm ? undefined : [6, 4]);
        D.lineChart(charts, { title: "Test accuracy (spirals, 3 classes; chance 1/3)", xLabel: "epoch", yLabel: "accuracy", points: true }, xs,
          runs.map((r, i) => ({ label: r.network, values: r.epochs.map((e) => e.test_accuracy), color: D.palette[i], dash: dash(r) })));
        D.lineChart(charts, { title: "Training loss (log)", xLabel: "epoch", yLabel: "cross-entropy", log: true, points: true }, xs,
          runs.map((r, i) => ({ label: r.network, values: r.epochs.map((e) => e.train_loss), color: D.palette[i], dash: dash(r) })));
        const layers = runs[0].std_before.map((_, i) => i + 1);
        D.lineChart(charts, { title: "Activation std per layer at initialization (log)", xLabel: "layer", yLabel: "std", log: true, points: true }, layers,
          runs.map((r, i) => ({ label: r.network, values: r.std_before, color: D.palette[i], dash: dash(r) })));
      });
      source.addEventListener("failed", (m) => { source.close(); D.set(message, el("span", { class: "error", role: "alert" }, JSON.parse(m.data).error)); });
      source.onerror = () => { if (source.readyState === EventSource.CLOSED) return; source.close(); };
    }
    stage.append(el("div", { class: "card controls" },
      D.select({ id: "activation", label: "activation", options: options.activations, value: state.activation, onchange: (v) => { state.activation = v; } }),
      D.select({ id: "init", label: "initializer", options: options.initializers.filter((i) => i !== "he"), value: state.init, onchange: (v) => { state.init = v; } }),
      D.slider({ id: "scale", label: "scale (σ of normal; gain of Xavier)", min: 1e-3, max: 10, value: state.scale, log: true, onchange: (v) => { state.scale = v; } }),
      D.slider({ id: "depth", label: "hidden layers (50 wide)", min: 1, max: 12, value: state.depth, onchange: (v) => { state.depth = v; } }),
      D.slider({ id: "epochs", label: "epochs", min: 1, max: 40, value: state.epochs, onchange: (v) => { state.epochs = v; } }),
      el("button", { type: "button", class: "primary", onclick: train }, "Train both"), progress),
      message, charts);
    train();
  };
})();
