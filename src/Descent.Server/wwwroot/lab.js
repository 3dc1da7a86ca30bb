// The interactive lab's shell: the chapter's lesson (the static report's words), its controls and figures. Each chapter's
// script registers D.lab[id](stage, lesson); controls are native inputs with labels, so the keyboard works on all of them.
"use strict";
(function () {
  const D = window.Descent, el = D.el;
  D.lab = {};

  /** A range input with its label and value; log: the slider moves over log10 of the value. onchange(value) after each move. */
  D.slider = function ({ id, label, min, max, value, step, log = false, format = D.fmt, onchange }) {
    const toPos = (v) => (log ? Math.log10(v) : v), fromPos = (p) => (log ? Number((10 ** p).toPrecision(3)) : Number(p));
    const out = el("output", { for: id }, format(value));
    const input = el("input", { id, type: "range", min: toPos(min), max: toPos(max), step: step ?? (log ? 0.01 : 1), value: toPos(value) });
    input.addEventListener("input", () => { const v = fromPos(input.value); out.textContent = format(v); onchange(v); });
    const wrap = el("label", { for: id }, el("span", {}, label, ": ", out), input);
    wrap.input = input;
    wrap.value = () => fromPos(input.value);
    wrap.set = (v) => { input.value = toPos(v); out.textContent = format(v); };
    return wrap;
  };

  /** A select with its label. */
  D.select = function ({ id, label, options, value, onchange }) {
    const s = el("select", { id }, options.map((o) => el("option", { value: o, selected: o === value }, o)));
    s.addEventListener("change", () => onchange(s.value));
    const wrap = el("label", { for: id }, label, s);
    wrap.input = s;
    return wrap;
  };

  /**
   * Re-runs an experiment after the controls move: fetcher() after 40 ms without a move, then draw(result); an answer
   * that a later move made stale is dropped, and a failure shows its message in `message`.
   */
  D.latest = function (fetcher, draw, message) {
    let ticket = 0, timer = null;
    return () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const mine = ++ticket;
        message.textContent = "";
        try {
          const result = await fetcher();
          if (mine === ticket) draw(result);
        } catch (e) {
          if (mine === ticket) D.set(message, el("span", { class: "error", role: "alert" }, e.message));
        }
      }, 40);
    };
  };

  (async function () {
    const page = document.getElementById("page");
    const id = location.pathname.split("/").pop();
    await D.header(id);
    let lessons;
    try { lessons = await D.lessons(); } catch (e) { return D.fail(page, e); }
    const lesson = lessons.find((l) => l.id === id);
    if (!lesson || !D.lab[id]) return D.fail(page, new Error(`No lab chapter '${id}'.`));
    document.title = `${lesson.title} · Descent lab`;
    const stage = el("section", { id: "stage" });
    D.set(page, 
      el("p", { class: "muted" }, "Chapter " + lesson.chapter),
      el("h1", {}, lesson.title),
      el("div", { class: "formula", "aria-label": "formula" }, lesson.formula),
      el("p", { class: "lesson" }, lesson.text),
      stage);
    try { await D.lab[id](stage, lesson); } catch (e) { D.fail(stage, e); }
  })();
})();
