// descent serve: helpers every page uses — the JSON routes, elements, numbers, the top bar and charts (uPlot).
"use strict";
const D = (window.Descent = {});

/** GET or POST a JSON route; a non-2xx answer throws its one-line message. */
D.api = async function (path, body) {
  const init = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const res = await fetch(path, init);
  const data = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new Error(data.error || `${res.status} ${res.statusText}`);
  return data;
};

/** An element: el("td", {class: "num"}, "3.1", child, …). */
D.el = function (tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c));
  return e;
};

/** Replaces an element's children, skipping null, undefined and false (a part a page leaves out). */
D.set = (where, ...kids) => where.replaceChildren(...kids.flat().filter((k) => k !== null && k !== undefined && k !== false));

/** An SVG element. */
D.svg = function (tag, attrs, ...kids) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
};

/** JSON numbers arrive as numbers, or "NaN"/"Infinity" strings: a finite number or null. */
D.num = (v) => { const x = typeof v === "string" ? Number(v) : v; return typeof x === "number" && isFinite(x) ? x : null; };

/** A number for people: 4 significant digits, exponent when tiny or huge. */
D.fmt = function (v, digits = 4) {
  const x = D.num(v);
  if (x === null) return v === null || v === undefined ? "–" : String(v);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6)) return x.toExponential(2);
  return String(Number(x.toPrecision(digits)));
};
/** An axis tick: as many digits as the step between ticks needs (0.0009995 and 0.000999 stay apart). */
D.tick = function (t, incr) {
  if (t === 0 || !(incr > 0)) return D.fmt(t, 3);
  const digits = Math.min(12, Math.max(1, Math.ceil(Math.log10(Math.abs(t) / incr) + 1e-9) + 1));
  return Math.abs(t) < 1e-3 || Math.abs(t) >= 1e6 ? t.toExponential(Math.max(0, digits - 1)) : String(Number(t.toPrecision(digits)));
};
D.pct = (v) => (D.num(v) === null ? "–" : (100 * v).toFixed(1) + "%");
D.duration = function (s) {
  if (D.num(s) === null) return "–";
  if (s < 60) return s.toFixed(1) + " s";
  if (s < 3600) return Math.floor(s / 60) + " min " + Math.round(s % 60) + " s";
  return Math.floor(s / 3600) + " h " + Math.round((s % 3600) / 60) + " min";
};
D.status = (s) => D.el("span", { class: "status " + s }, s);
D.palette = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#be185d", "#65a30d", "#475569", "#ca8a04"];

/** The top bar: the runs, the studies and the lab's chapters. */
D.header = async function (current) {
  const bar = D.el("header", { class: "top" },
    D.el("a", { class: "brand", href: "/" }, "Descent"),
    D.el("a", { href: "/#runs", "aria-current": current === "runs" ? "page" : null }, "Runs"),
    D.el("a", { href: "/#studies", "aria-current": current === "studies" ? "page" : null }, "Studies"));
  document.body.prepend(bar);
  try {
    for (const l of await D.lessons()) bar.append(D.el("a", { href: "/lab/" + l.id, "aria-current": current === l.id ? "page" : null }, l.chapter.replace(/^\d+ /, "")));
  } catch (e) { /* the lab's links are a convenience; the page itself reports errors */ }
};
let lessons;
D.lessons = () => (lessons ??= D.api("/api/lab/lessons"));

/** Shows an error in place of a part of the page. */
D.fail = (where, e) => D.set(where, D.el("p", { class: "error", role: "alert" }, String(e.message || e)));

/** Whether uPlot (installed by npm at build time) is there; if not, says how to get it. */
D.haveCharts = function (where) {
  if (window.uPlot) return true;
  where.append(D.el("p", { class: "error" }, "The charts need uPlot, which the build installs with npm (package-lock.json): install node and npm, then build again (./descent serve)."));
  return false;
};

/**
 * A line chart: xs and series [{label, values, color, dash}] on uPlot. log: the y axis in log scale. Returns an object
 * with update(xs, series) that redraws in place (live runs) and the uPlot instance.
 */
D.lineChart = function (where, { title, xLabel, yLabel, log = false, height = 260, points = false, integerX = true, yRange }, xs, series) {
  const box = D.el("div", { class: "chart" }, D.el("div", { class: "chart-title" }, title));
  where.append(box);
  if (!D.haveCharts(box)) return { update() {} };
  const clean = (vs) => vs.map((v) => { const x = D.num(v); return x === null || (log && x <= 0) ? null : x; });
  const opts = {
    width: Math.max(320, Math.min(box.clientWidth || where.clientWidth || 560, 1200)), height,
    scales: { x: { time: false }, y: log ? { distr: 3 } : yRange ? { range: yRange } : {} },
    axes: [
      { label: xLabel, ...(integerX ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] } : {}) },
      // On a log axis only the powers of ten are labelled (uPlot ticks every 1–9 × 10ᵏ).
      { label: yLabel, size: 70, values: (u, ticks, _axis, _space, incr) => ticks.map((t) => (!log ? D.tick(t, incr) : Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9 ? D.fmt(t, 3) : "")) },
    ],
    series: [{ label: xLabel }, ...series.map((s, i) => ({
      label: s.label, stroke: s.color || D.palette[i % D.palette.length], width: 2, dash: s.dash, spanGaps: false,
      points: { show: points || xs.length < 3 }, value: (u, v) => D.fmt(v),
    }))],
    legend: { live: true, show: series.length <= 10 },   // thirty trials' names say nothing
  };
  const plot = new uPlot(opts, [xs, ...series.map((s) => clean(s.values))], box);
  const resize = () => plot.setSize({ width: Math.max(320, Math.min(box.clientWidth, 1200)), height });
  new ResizeObserver(resize).observe(box);
  return {
    plot,
    update(xs2, series2) { plot.setData([xs2, ...series2.map((s) => clean(s.values))]); },
  };
};

/** Query-string value. */
D.query = (name) => new URLSearchParams(location.search).get(name);
