// Small SVG plots of our own for a study: objective against one parameter on its scale, and parallel coordinates.
"use strict";
(function () {
  const D = window.Descent, svg = D.svg;

  /** A colour from good (dark blue) to bad (light), t ∈ [0, 1] with 0 the best. */
  D.shade = (t) => `hsl(${220 - 40 * t}, ${70 - 30 * t}%, ${28 + 52 * t}%)`;

  /** Where a parameter's value sits on its axis: log10 for log scales, log10(1 − v) for momenta, the index for choices. */
  D.axisValue = function (p, v, unit) {
    if (p.scale === "categorical") return unit === undefined || D.num(unit) === null ? NaN : Math.round(unit * (p.choices.length - 1));
    const x = Number(v);
    if (p.scale === "log") return x > 0 ? Math.log10(x) : NaN;
    if (p.scale === "one_minus_log") return x < 1 ? Math.log10(1 - x) : NaN;
    return x;
  };
  const tickText = (p, t) => p.scale === "log" ? D.fmt(10 ** t, 2) : p.scale === "one_minus_log" ? D.fmt(10 ** t, 2) : p.scale === "categorical" ? p.choices[Math.round(t)] ?? "" : D.fmt(t, 3);

  /** Objective against one parameter; points [{x (raw value), unit (its [0, 1] place), y, state, number, label}]. */
  D.scatter = function (where, p, points, { yLabel, best }) {
    const W = 380, H = 250, L = 58, R = 12, T = 12, B = 42;
    const xs = points.map((q) => D.axisValue(p, q.x, q.unit)).filter(isFinite), ys = points.map((q) => q.y).filter((y) => y !== null);
    let [x0, x1] = p.scale === "categorical" ? [-0.5, p.choices.length - 0.5] : [Math.min(...xs), Math.max(...xs)];
    if (p.low !== null && p.high !== null && p.scale !== "categorical") {
      const lo = D.axisValue(p, p.scale === "one_minus_log" ? p.high : p.low), hi = D.axisValue(p, p.scale === "one_minus_log" ? p.low : p.high);
      x0 = Math.min(x0, lo, hi); x1 = Math.max(x1, lo, hi);
    }
    if (!(x1 > x0)) { x0 -= 1; x1 += 1; }
    let y0 = Math.min(...ys), y1 = Math.max(...ys);
    if (!(y1 > y0)) { y0 -= 0.5; y1 += 0.5; }
    const sx = (x) => L + ((x - x0) / (x1 - x0)) * (W - L - R), sy = (y) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
    const g = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", style: "max-width:520px", role: "img", "aria-label": `objective against ${p.name}` });
    g.append(svg("rect", { x: L, y: T, width: W - L - R, height: H - T - B, fill: "#fafbfc", stroke: "#d8dde6" }));
    const ticks = p.scale === "categorical" ? p.choices.map((_, i) => i) : niceTicks(x0, x1, p.scale === "log" || p.scale === "one_minus_log");
    for (const t of ticks) {
      g.append(svg("line", { x1: sx(t), x2: sx(t), y1: H - B, y2: H - B + 4, stroke: "#888" }));
      g.append(svg("text", { x: sx(t), y: H - B + 16, "text-anchor": "middle" }, tickText(p, t)));
    }
    for (const t of niceTicks(y0, y1, false)) {
      g.append(svg("line", { x1: L - 4, x2: L, y1: sy(t), y2: sy(t), stroke: "#888" }));
      g.append(svg("text", { x: L - 6, y: sy(t) + 4, "text-anchor": "end" }, D.fmt(t, 3)));
    }
    const axisName = p.scale === "one_minus_log" ? `1 − ${p.name} (log)` : p.scale === "log" ? `${p.name} (log)` : p.name;
    g.append(svg("text", { x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle", "font-weight": 600 }, axisName));
    g.append(svg("text", { x: 12, y: (T + H - B) / 2, "text-anchor": "middle", transform: `rotate(-90 12 ${(T + H - B) / 2})` }, yLabel));
    for (const q of points) {
      const x = D.axisValue(p, q.x, q.unit);
      if (!isFinite(x) || q.y === null) continue;
      const c = svg("circle", { cx: sx(x), cy: sy(q.y), r: q.number === best ? 6 : 4, fill: q.number === best ? "#16a34a" : q.state === "pruned" ? "#f59e0b" : "#2563eb", "fill-opacity": 0.75, stroke: "#fff" });
      c.append(svg("title", {}, q.label));
      g.append(c);
    }
    where.append(D.el("div", { class: "card" }, g));
  };

  /** Parallel coordinates: one axis per parameter (its [0, 1] place on its own scale) and the objective; best lines darkest. */
  D.parallel = function (where, params, trials, { yLabel, minimize }) {
    const done = trials.filter((t) => t.value !== null && D.num(t.value) !== null);
    const axes = params.length + 1, W = Math.max(760, 190 * axes), H = 320, T = 24, B = 40, L = 60, R = 60;
    const ax = (i) => L + (i * (W - L - R)) / (axes - 1);
    const sy = (u) => T + (1 - u) * (H - T - B);
    const vals = done.map((t) => t.value);
    const v0 = Math.min(...vals), v1 = Math.max(...vals), span = v1 > v0 ? v1 - v0 : 1;
    const g = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, style: "max-width:100%;height:auto", role: "img", "aria-label": "parallel coordinates" });
    const rank = (v) => { const u = (v - v0) / span; return minimize ? u : 1 - u; };   // 0 = best
    for (const t of [...done].sort((a, b) => rank(b.value) - rank(a.value))) {
      const pts = params.map((p, i) => [ax(i), sy(D.num(t.unit[p.name]) ?? 0.5)]);
      pts.push([ax(params.length), sy((t.value - v0) / span)]);
      const line = svg("polyline", { points: pts.map((p) => p.join(",")).join(" "), fill: "none", stroke: D.shade(rank(t.value)), "stroke-width": rank(t.value) < 0.05 ? 2.5 : 1.2, "stroke-opacity": 0.85 });
      line.append(svg("title", {}, `trial ${t.number}: ${yLabel} ${D.fmt(t.value)}`));
      g.append(line);
    }
    params.forEach((p, i) => {
      g.append(svg("line", { x1: ax(i), x2: ax(i), y1: T, y2: H - B, stroke: "#555" }));
      g.append(svg("text", { x: ax(i), y: H - B + 18, "text-anchor": "middle", "font-weight": 600 }, p.scale === "one_minus_log" ? `1 − ${p.name}` : p.name));
      const lo = p.scale === "categorical" ? p.choices[0] : D.fmt(p.low, 2), hi = p.scale === "categorical" ? p.choices[p.choices.length - 1] : D.fmt(p.high, 2);
      g.append(svg("text", { x: ax(i) + 4, y: H - B - 2 }, p.scale === "one_minus_log" ? hi : lo));
      g.append(svg("text", { x: ax(i) + 4, y: T + 10 }, p.scale === "one_minus_log" ? lo : hi));
    });
    const k = params.length;
    g.append(svg("line", { x1: ax(k), x2: ax(k), y1: T, y2: H - B, stroke: "#111", "stroke-width": 2 }));
    g.append(svg("text", { x: ax(k), y: H - B + 18, "text-anchor": "middle", "font-weight": 600 }, yLabel));
    g.append(svg("text", { x: ax(k) + 4, y: H - B - 2 }, D.fmt(v0, 3)));
    g.append(svg("text", { x: ax(k) + 4, y: T + 10 }, D.fmt(v1, 3)));
    where.append(D.el("div", { class: "card", style: "overflow-x:auto" }, g));
  };

  function niceTicks(a, b, decades) {
    if (decades) {
      const out = [];
      for (let t = Math.ceil(a); t <= Math.floor(b); t++) out.push(t);
      return out.length >= 2 ? out : [a, (a + b) / 2, b];
    }
    const step = 10 ** Math.floor(Math.log10((b - a) / 4)), m = [1, 2, 5, 10].find((k) => (b - a) / (k * step) <= 5) * step;
    const out = [];
    for (let t = Math.ceil(a / m) * m; t <= b + 1e-12; t += m) out.push(Number(t.toPrecision(12)));
    return out;
  }
})();
