// Chapters 1 and 2: gradient descent and the optimizers, as paths over the function's heat map (2-D) or curve (1-D),
// animated step by step with play/pause, a step slider and a counter. Every move of a control re-runs the server's engine.
"use strict";
(function () {
  const D = window.Descent, el = D.el;

  /** The heat map / curve with the paths, and its player. */
  function player(stage) {
    const canvas = el("canvas", { class: "map", width: 760, height: 500, role: "img", "aria-label": "descent path" });
    const play = el("button", { type: "button", class: "primary", "aria-label": "play" }, "Play");
    const scrub = el("input", { type: "range", min: 0, max: 0, value: 0, step: 1, "aria-label": "step" });
    const counter = el("span", { class: "counter", "aria-live": "off" }, "step 0");
    const legend = el("div", { id: "legend" });
    stage.append(el("div", { class: "player" }, play, el("label", {}, "step ", scrub), counter), el("div", { class: "stage" }, canvas), legend);
    let view = null, step = 0, playing = false, background = null, last = 0;
    const ctx = canvas.getContext("2d");
    const steps = () => Math.max(...view.paths.map((p) => p.path.length - 1));

    function frame() { // the window → pixels
      const f = view.function, [x0, x1] = f.window, W = canvas.width, H = canvas.height, pad = 36;
      if (f.dimension === 2) { const [, , y0, y1] = f.window; return { sx: (x) => pad + ((x - x0) / (x1 - x0)) * (W - 2 * pad), sy: (y) => H - pad - ((y - y0) / (y1 - y0)) * (H - 2 * pad) }; }
      const ys = f.curve.map((p) => p[1]), lo = Math.min(...ys), hi = Math.max(...ys);
      return { sx: (x) => pad + ((x - x0) / (x1 - x0)) * (W - 2 * pad), sy: (y) => H - pad - ((y - lo) / (hi - lo || 1)) * (H - 2 * pad) };
    }

    function drawBackground() {
      const f = view.function, W = canvas.width, H = canvas.height, { sx, sy } = frame();
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
      if (f.dimension === 2) {
        const g = f.grid, zs = g.z;
        let lo = Infinity, hi = -Infinity;
        for (const z of zs) { if (z < lo) lo = z; if (z > hi) hi = z; }
        const norm = Math.log1p(hi - lo) || 1;
        const img = ctx.createImageData(W, H);
        for (let py = 0; py < H; py++) for (let px = 0; px < W; px++) {
          const u = ((px - 36) / (W - 72)) * (g.nx - 1), v = ((H - 36 - py) / (H - 72)) * (g.ny - 1);
          const k = 4 * (py * W + px);
          img.data[k + 3] = 255;
          if (u < 0 || v < 0 || u > g.nx - 1 || v > g.ny - 1) { img.data[k] = img.data[k + 1] = img.data[k + 2] = 255; continue; }
          const i = Math.min(g.nx - 2, Math.floor(u)), j = Math.min(g.ny - 2, Math.floor(v)), fa = u - i, fb = v - j;   // bilinear between grid points
          const z = (1 - fa) * (1 - fb) * zs[j * g.nx + i] + fa * (1 - fb) * zs[j * g.nx + i + 1] + (1 - fa) * fb * zs[(j + 1) * g.nx + i] + fa * fb * zs[(j + 1) * g.nx + i + 1];
          const t = Math.log1p(z - lo) / norm;                              // 0 at the lowest point, 1 at the highest (log)
          const level = Math.abs(((t * 12) % 1) - 0.5) > 0.47;               // level lines: 12 bands of log(f − min)
          const [r, gr, b] = ramp(t);
          img.data[k] = level ? r * 0.7 : r; img.data[k + 1] = level ? gr * 0.7 : gr; img.data[k + 2] = level ? b * 0.7 : b;
        }
        ctx.putImageData(img, 0, 0);
        ctx.fillStyle = "#222"; ctx.font = "12px system-ui";
        ctx.fillText(`x₁ ∈ [${f.window[0]}, ${f.window[1]}]`, W / 2 - 40, H - 10);
        ctx.save(); ctx.translate(14, H / 2 + 30); ctx.rotate(-Math.PI / 2); ctx.fillText(`x₂ ∈ [${f.window[2]}, ${f.window[3]}]`, 0, 0); ctx.restore();
      } else {
        ctx.strokeStyle = "#888"; ctx.setLineDash([4, 4]); ctx.lineWidth = 1.5; ctx.beginPath();
        f.curve.forEach(([x, y], i) => (i ? ctx.lineTo(sx(x), sy(y)) : ctx.moveTo(sx(x), sy(y))));
        ctx.stroke(); ctx.setLineDash([]);
        ctx.fillStyle = "#222"; ctx.font = "12px system-ui"; ctx.fillText(`f(x) = ${f.formula}, x ∈ [${f.window[0]}, ${f.window[1]}]`, 40, 20);
      }
      background = ctx.getImageData(0, 0, W, H);
    }

    function drawPaths() {
      ctx.putImageData(background, 0, 0);
      const { sx, sy } = frame(), f = view.function;
      const at = (p, k) => (f.dimension === 2 ? [sx(p.path[k][0]), sy(p.path[k][1])] : [sx(p.path[k][0]), sy(p.values[k])]);
      view.paths.forEach((p, n) => {
        const color = view.paths.length > 1 && n === 0 ? "#475569" : "#dc2626";   // the comparison (SGD) grey, the chosen run red
        const upto = Math.min(step, p.path.length - 1);
        ctx.strokeStyle = color; ctx.fillStyle = color; ctx.lineWidth = 2; ctx.beginPath();
        for (let k = 0; k <= upto; k++) { const [x, y] = at(p, k); if (!isFinite(x) || !isFinite(y)) break; k ? ctx.lineTo(x, y) : ctx.moveTo(x, y); }
        ctx.stroke();
        for (let k = 0; k <= upto; k += Math.max(1, Math.floor(upto / 60))) { const [x, y] = at(p, k); if (isFinite(x) && isFinite(y)) { ctx.beginPath(); ctx.arc(x, y, 2.5, 0, 7); ctx.fill(); } }
        const [x, y] = at(p, upto);
        if (isFinite(x) && isFinite(y)) { ctx.beginPath(); ctx.arc(x, y, 6, 0, 7); ctx.fill(); ctx.strokeStyle = "#fff"; ctx.stroke(); }
      });
      const main = view.paths[view.paths.length - 1], k = Math.min(step, main.path.length - 1);
      counter.textContent = `step ${step} / ${steps()} · f = ${D.fmt(main.values[k])} · x = (${main.path[k].map((v) => D.fmt(v, 3)).join(", ")})`;
      scrub.value = step;
      canvas.dataset.step = String(step);
    }

    function tick(time) {
      if (!playing) return;
      if (time - last > 16) {
        last = time;
        step = Math.min(steps(), step + Math.max(1, Math.ceil(steps() / 150)));
        drawPaths();
        if (step >= steps()) { setPlaying(false); return; }
      }
      requestAnimationFrame(tick);
    }
    function setPlaying(on) {
      playing = on;
      play.textContent = on ? "Pause" : "Play";
      play.setAttribute("aria-label", on ? "pause" : "play");
      canvas.dataset.playing = String(on);
      if (on) { if (step >= steps()) step = 0; requestAnimationFrame(tick); }
    }
    play.addEventListener("click", () => setPlaying(!playing));
    scrub.addEventListener("input", () => { setPlaying(false); step = Number(scrub.value); drawPaths(); });

    return {
      show(v) {
        view = v;
        scrub.max = steps();
        drawBackground();
        step = 0;
        drawPaths();
        D.set(legend, ...v.paths.map((p, n) => el("p", {},
          el("span", { class: "legend-swatch", style: `background:${v.paths.length > 1 && n === 0 ? "#475569" : "#dc2626"}` }),
          `${p.label}: ${p.status} after ${p.iterations} steps, final f = ${D.fmt(p.final_f)} at (${p.final_x.map((x) => D.fmt(x, 3)).join(", ")})`)));
        setPlaying(true);
      },
    };
  }

  /** Light blue (low) → yellow → light red (high). */
  function ramp(t) {
    const stops = [[214, 234, 248], [171, 212, 232], [240, 232, 170], [245, 190, 140], [236, 140, 130]];
    const x = Math.min(0.9999, Math.max(0, t)) * (stops.length - 1), i = Math.floor(x), u = x - i;
    return stops[i].map((c, n) => c + (stops[i + 1][n] - c) * u);
  }

  const defaults = { quadratic: [0.1, 100], quartic: [3e-4, 1000], bowl: [0.1, 100], elongated: [0.9, 60], saddle: [0.1, 60], rosenbrock: [1e-3, 2000] };

  D.lab.descend = async function (stage) {
    const options = await D.api("/api/lab/options");
    const state = { function: "elongated", lr: 0.9, steps: 60 };
    const message = el("div");
    const go = D.latest(() => D.api("/api/lab/descend", state), (r) => p.show(r), message);
    const lr = D.slider({ id: "lr", label: "learning rate γ", min: 1e-5, max: 2, value: state.lr, log: true, onchange: (v) => { state.lr = v; go(); } });
    const steps = D.slider({ id: "steps", label: "steps", min: 1, max: 3000, value: state.steps, onchange: (v) => { state.steps = v; go(); } });
    const fn = D.select({ id: "function", label: "function", options: options.functions, value: state.function, onchange: (v) => {
      state.function = v; [state.lr, state.steps] = defaults[v] || [0.1, 100]; lr.set(state.lr); steps.set(state.steps); go();
    } });
    stage.append(el("div", { class: "card controls" }, fn, lr, steps), message);
    const p = player(stage);
    go();
  };

  D.lab.optimizers = async function (stage) {
    const options = await D.api("/api/lab/options");
    const state = { race: "elongated", optimizer: "momentum", lr: 0.05, beta: 0.9 };
    const message = el("div");
    const go = D.latest(() => D.api("/api/lab/optimizers", state), (r) => p.show(r), message);
    const beta = D.slider({ id: "beta", label: "β (momentum; Adam β₁; RMSprop decay)", min: 0, max: 0.99, step: 0.01, value: state.beta, onchange: (v) => { state.beta = v; go(); } });
    const betaUsed = () => { beta.input.disabled = state.optimizer === "sgd" || state.optimizer === "adagrad"; };
    stage.append(el("div", { class: "card controls" },
      D.select({ id: "race", label: "race", options: options.races, value: state.race, onchange: (v) => { state.race = v; go(); } }),
      D.select({ id: "optimizer", label: "optimizer", options: options.optimizers, value: state.optimizer, onchange: (v) => { state.optimizer = v; betaUsed(); go(); } }),
      D.slider({ id: "lr", label: "learning rate α", min: 1e-4, max: 3, value: state.lr, log: true, onchange: (v) => { state.lr = v; go(); } }),
      beta), el("p", { class: "muted" }, "Grey: plain SGD at the same α, for comparison."), message);
    const p = player(stage);
    betaUsed();
    go();
  };
})();
