// dealtree's live panel (analysis.interactive.explore), an anywidget front end.
//
// The kernel owns the state and the charts; this file draws the controls and
// the charts it is sent. Messages to the kernel: {event: "hello"} when a view
// opens, {event: "change", seq, delta, final} when a control moves (final: a
// slider was released, a toggle clicked), {event: "plotly"} to ask for
// plotly.js when the page has none. From the kernel: {event: "pong"},
// {event: "plotly", source}, {event: "state", ...} with the charts as JSON
// (for a change, first a "partial" state with the outcome bars alone, then
// the rest: the bars do not wait for the slower tree).
//
// Debounce: at most one change is in flight; moves made meanwhile are merged
// and sent when the kernel's answer arrives, so a slow redraw never queues up.

const STYLE_ID = "dealtree-explore-style";
const CSS = `
.dealtree-explore { font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 13px; }
.dealtree-explore .dx-head { display: flex; gap: 1em; align-items: baseline; flex-wrap: wrap; }
.dealtree-explore .dx-title { font-weight: 600; font-size: 14px; }
.dealtree-explore .dx-status { color: #666; }
.dealtree-explore .dx-error { color: #a40e26; white-space: pre-wrap; }
.dealtree-explore .dx-offline { background: #fff3cd; border: 1px solid #e6c35c; padding: 0.4em 0.6em; margin: 0.4em 0; }
.dealtree-explore .dx-controls { display: flex; flex-wrap: wrap; gap: 0.6em 1.2em; margin: 0.5em 0; max-height: 420px; overflow-y: auto; }
.dealtree-explore fieldset { border: 1px solid #ddd; border-radius: 4px; padding: 0.3em 0.6em; margin: 0; min-width: 260px; }
.dealtree-explore legend { font-weight: 600; padding: 0 0.3em; }
.dealtree-explore .dx-row { display: grid; grid-template-columns: 11em 1fr 4.2em; gap: 0.4em; align-items: center; }
.dealtree-explore .dx-row label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.dealtree-explore .dx-row output { text-align: right; font-variant-numeric: tabular-nums; }
.dealtree-explore .dx-strength label { color: #555; font-style: italic; }
.dealtree-explore .dx-toggles { display: flex; flex-wrap: wrap; gap: 2px; margin: 0.15em 0 0.3em 0; }
.dealtree-explore .dx-toggles button { border: 1px solid #bbb; background: #f7f7f7; padding: 1px 6px; cursor: pointer; border-radius: 3px; font-size: 12px; }
.dealtree-explore .dx-toggles button[aria-pressed="true"] { background: #2a6ebb; border-color: #2a6ebb; color: white; }
.dealtree-explore .dx-actions { display: flex; gap: 0.6em; align-items: flex-start; margin: 0.4em 0; }
.dealtree-explore .dx-actions button { padding: 3px 10px; cursor: pointer; }
.dealtree-explore textarea { width: 32em; height: 4.5em; font-family: var(--jp-code-font-family, monospace); font-size: 11px; }
.dealtree-explore .dx-charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 0.5em; }
.dealtree-explore .dx-chart-tree { grid-column: 1 / -1; }
`;

function addStyle() {
  if (document.getElementById(STYLE_ID)) return;
  const style = document.createElement("style");
  style.id = STYLE_ID;
  style.textContent = CSS;
  document.head.appendChild(style);
}

// Once a kernel answers, the static snapshots (for exported HTML) are hidden.
function hideSnapshots() {
  window.__dealtreeLive = true;
  if (document.getElementById("dealtree-live-style")) return;
  const style = document.createElement("style");
  style.id = "dealtree-live-style";
  style.textContent = ".dealtree-explore-snapshot { display: none !important; }";
  document.head.appendChild(style);
}

function loadPlotly(source) {
  if (window.Plotly) return;
  // plotly.min.js is a UMD bundle: with no module system it sets window.Plotly.
  const script = document.createElement("script");
  script.textContent = "(function (define, module, exports) {\n" + source + "\n})();";
  document.head.appendChild(script);
}

function node(tag, attrs = {}, children = []) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") el.textContent = v;
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v);
  }
  for (const child of children) el.appendChild(child);
  return el;
}

// Strength sliders move on a log scale: position 0..1000.
function toPosition(value, [low, high]) {
  return Math.round(1000 * Math.log(value / low) / Math.log(high / low));
}
function fromPosition(position, [low, high]) {
  const value = low * Math.pow(high / low, position / 1000);
  return Number(value.toPrecision(3));
}
function shown(value, digits = 3) {
  return Number(value).toFixed(digits);
}

function render({ model, el }) {
  addStyle();
  const spec = model.get("controls");
  const root = node("div", { class: "dealtree-explore" });
  el.appendChild(root);

  const title = node("span", { class: "dx-title", text: spec.title });
  const status = node("span", { class: "dx-status", text: "waiting for the kernel…" });
  const error = node("div", { class: "dx-error" });
  const offline = node("div", { class: "dx-offline" });
  offline.style.display = "none";
  root.appendChild(node("div", { class: "dx-head" }, [title, status]));
  root.appendChild(offline);
  root.appendChild(error);

  const inputs = {}; // key -> {input, output, kind}
  const toggles = {}; // "given:phase" / "decision:phase" -> {buttons}
  const controls = node("div", { class: "dx-controls" });
  root.appendChild(controls);

  let seq = 0;
  let inFlight = false;
  let pending = null;
  let active = null; // the input being dragged: not moved by the kernel's answers
  let started = 0;

  function merge(delta, final) {
    pending = pending || { delta: { means: {}, strengths: {}, given: {}, decisions: {} }, final: false };
    for (const part of ["means", "strengths", "given", "decisions"]) {
      Object.assign(pending.delta[part], delta[part] || {});
    }
    pending.final = pending.final || final;
    flush();
  }
  function flush() {
    if (inFlight || !pending) return;
    const message = { event: "change", seq: ++seq, delta: pending.delta, final: pending.final };
    pending = null;
    inFlight = true;
    started = performance.now();
    model.send(message);
  }

  function slider(fieldset, key, label, kind, range, value) {
    const input = node("input", { type: "range", "data-key": key, "aria-label": label });
    const output = node("output");
    if (kind === "mean") {
      input.min = 1; input.max = 99; input.step = 1;
      input.value = Math.round(value * 100);
      output.textContent = shown(value, 2);
    } else {
      input.min = 0; input.max = 1000; input.step = 1;
      input.value = toPosition(value, range);
      output.textContent = shown(value, 1);
    }
    const read = () => (kind === "mean" ? Number(input.value) / 100 : fromPosition(Number(input.value), range));
    const delta = () => (kind === "mean" ? { means: { [key]: read() } } : { strengths: { [key]: read() } });
    input.addEventListener("input", () => {
      active = input;
      output.textContent = shown(read(), kind === "mean" ? 2 : 1);
      merge(delta(), false);
    });
    input.addEventListener("change", () => {
      active = null;
      merge(delta(), true); // released: the kernel also redraws the intervals
    });
    const row = node("div", { class: "dx-row" + (kind === "strength" ? " dx-strength" : "") },
      [node("label", { text: label, title: label }), input, output]);
    fieldset.appendChild(row);
    inputs[(kind === "mean" ? "mean:" : "strength:") + key] = { input, output, kind, range };
  }

  for (const set of spec.priors) {
    const fieldset = node("fieldset", {}, [node("legend", { text: set.label })]);
    for (const branch of set.branches) {
      slider(fieldset, branch.key, branch.label, "mean", null, branch.mean);
    }
    slider(fieldset, set.set, set.strength_label, "strength", spec.strength_range, set.strength);
    controls.appendChild(fieldset);
  }

  function toggleGroup(fieldset, part, item) {
    const group = node("div", { class: "dx-toggles", role: "group", "aria-label": item.label });
    const buttons = [];
    for (const [value, label] of item.options) {
      const button = node("button", { type: "button", "data-value": value, text: label,
                                      "aria-pressed": String(value === item.value) });
      button.addEventListener("click", () => {
        for (const b of buttons) b.setAttribute("aria-pressed", String(b === button));
        merge({ [part]: { [item.phase]: value } }, true);
      });
      buttons.push(button);
      group.appendChild(button);
    }
    fieldset.appendChild(node("div", { text: item.label }));
    fieldset.appendChild(group);
    toggles[part + ":" + item.phase] = buttons;
  }
  if (spec.decisions.length) {
    const fieldset = node("fieldset", {}, [node("legend", { text: "Decisions (the option assumed)" })]);
    for (const item of spec.decisions) toggleGroup(fieldset, "decisions", item);
    controls.appendChild(fieldset);
  }
  if (spec.given.length) {
    const fieldset = node("fieldset", {}, [node("legend", { text: "Given (condition on a phase)" })]);
    for (const item of spec.given) toggleGroup(fieldset, "given", item);
    controls.appendChild(fieldset);
  }

  const copy = node("button", { type: "button", class: "dx-copy", text: "Copy as PRIOR_OVERRIDES" });
  const reset = node("button", { type: "button", class: "dx-reset", text: "Reset" });
  const text = node("textarea", { readonly: "", class: "dx-overrides", "aria-label": "overrides" });
  const copied = node("span", { class: "dx-status dx-copied" });
  copy.addEventListener("click", async () => {
    text.select();
    try {
      await navigator.clipboard.writeText(text.value);
      copied.textContent = "copied: paste it into the parameters cell";
    } catch (err) {
      document.execCommand && document.execCommand("copy");
      copied.textContent = "selected: press Ctrl+C, then paste it into the parameters cell";
    }
  });
  reset.addEventListener("click", () => model.send({ event: "reset" }));
  root.appendChild(node("div", { class: "dx-actions" }, [copy, reset, text, copied]));

  const charts = node("div", { class: "dx-charts" });
  root.appendChild(charts);
  const divs = {};
  for (const name of spec.charts) {
    divs[name] = node("div", { class: "dx-chart dx-chart-" + name, "data-chart": name });
    charts.appendChild(divs[name]);
  }
  let figures = {};

  async function draw(changed) {
    if (!window.Plotly) return;
    for (const [name, json] of Object.entries(changed)) {
      const figure = JSON.parse(json);
      figures[name] = figure;
      // Plotly.react diffs against what is drawn: the chart updates in place.
      await window.Plotly.react(divs[name], figure.data, figure.layout,
                                { responsive: true, displaylogo: false });
    }
  }

  function apply(state) {
    for (const [key, value] of Object.entries(state.means)) {
      const entry = inputs["mean:" + key];
      if (!entry || entry.input === active) continue;
      entry.input.value = Math.round(value * 100);
      entry.output.textContent = shown(value, 2);
    }
    for (const [key, value] of Object.entries(state.strengths)) {
      const entry = inputs["strength:" + key];
      if (!entry || entry.input === active) continue;
      entry.input.value = toPosition(value, entry.range);
      entry.output.textContent = shown(value, 1);
    }
    for (const [name, buttons] of Object.entries(toggles)) {
      const [part, phase] = name.split(":");
      const value = state[part][phase] || "";  // a phase with no condition: "any"
      for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.value === value));
    }
    text.value = state.overrides_text;
    error.textContent = state.error || "";
    status.textContent = state.status;
  }

  model.on("msg:custom", async (message) => {
    if (message.event === "pong") {
      alive = true;
      offline.style.display = "none";
      hideSnapshots();
    } else if (message.event === "plotly") {
      loadPlotly(message.source);
      await draw(message.figures || {});
    } else if (message.event === "state") {
      apply(message);
      await draw(message.figures);
      if (message.partial) {
        // The outcome bars, sent before the tree and the attributes are ready.
        if (message.seq === seq && inFlight) {
          root.dataset.firstLatency = String(Math.round(performance.now() - started));
        }
      } else if (message.seq === seq && inFlight) {
        inFlight = false;
        root.dataset.latency = String(Math.round(performance.now() - started));
        root.dataset.drawn = String(message.seq);
        flush();
      } else if (message.seq === 0) {
        root.dataset.drawn = root.dataset.drawn || "0";
      }
    }
  });

  let alive = false;
  setTimeout(() => {
    if (alive) return;
    offline.textContent = "No kernel is answering: these controls do nothing here. The charts "
      + "below the panel show its last state; run the notebook to explore.";
    offline.style.display = "block";
    status.textContent = "no kernel";
  }, 4000);
  model.send({ event: "hello", plotly: !window.Plotly });
  return () => { for (const div of Object.values(divs)) window.Plotly && window.Plotly.purge(div); };
}

export default { render };
