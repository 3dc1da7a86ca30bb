// Chapter 3: learning-rate decay. The chosen schedules' α per epoch, and SGD on noisy mini-batch gradients under each.
"use strict";
(function () {
  const D = window.Descent, el = D.el;
  D.lab.schedules = async function (stage) {
    const options = await D.api("/api/lab/options");
    const state = { schedules: ["constant", "inverse-time:decay=1", "exponential:base=0.95"], base_rate: 0.5, epochs: 40 };
    const message = el("div"), charts = el("div", { class: "grid2" });
    let rate = null, gap = null;
    const go = D.latest(() => D.api("/api/lab/schedules", state), (views) => {
      const xs = views[0].rates.map((_, i) => i);
      const s1 = views.map((v, i) => ({ label: v.formula, values: v.rates, color: D.palette[i % 10] }));
      const s2 = views.map((v, i) => ({ label: v.spec, values: v.gaps, color: D.palette[i % 10] }));
      D.set(charts, );
      rate = D.lineChart(charts, { title: "Learning rate α per epoch", xLabel: "epoch", yLabel: "α", height: 300 }, xs, s1);
      gap = D.lineChart(charts, { title: "SGD on noisy gradients of 0.1x₁² + x₂²: mean f − f* per epoch (log)", xLabel: "epoch", yLabel: "f − f*", log: true, height: 300 }, xs, s2);
      D.set(message, el("span", { class: "muted" }, views.map((v) => `${v.spec}: f − f* ≈ ${D.fmt(v.gaps[v.gaps.length - 1])} at the end`).join(" · ")));
    }, message);
    const boxes = options.schedules.map((s, i) => el("label", { for: "s" + i, style: "flex-direction:row;gap:6px;align-items:center" },
      el("input", { id: "s" + i, type: "checkbox", value: s, checked: state.schedules.includes(s), onchange: () => {
        state.schedules = [...stage.querySelectorAll("input[type=checkbox]:checked")].map((c) => c.value);
        if (state.schedules.length > 0) go();
      } }), s));
    stage.append(el("div", { class: "card controls" },
      D.slider({ id: "base", label: "α₀", min: 1e-3, max: 1.5, value: state.base_rate, log: true, onchange: (v) => { state.base_rate = v; go(); } }),
      D.slider({ id: "epochs", label: "epochs", min: 2, max: 200, value: state.epochs, onchange: (v) => { state.epochs = v; go(); } })),
      el("div", { class: "card controls", role: "group", "aria-label": "schedules" }, boxes), message, charts);
    go();
  };
})();
