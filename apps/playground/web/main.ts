import 'uplot/dist/uPlot.min.css';
import './style.css';
import { conv2dShape } from '@hw3/shape';
import { formatSummary, mnistCnnBn, summarizeNetwork } from '@hw3/shape/summary';
import uPlot from 'uplot';
import { DEFAULTS } from '../src/train/defaults.js';
import { DEFAULT_LR, OPTIMIZER_TABLE, OPTIMIZERS, type OptimizerName } from '../src/train/optimizers.js';
import { batchNormGradCheck } from './bn-check.js';
import { preprocessDigit } from './digit.js';
import type { FromWorker, ToWorker } from './protocol.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

// ---------------------------------------------------------------- worker
const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

// ---------------------------------------------------------------- charts
function chart(el: HTMLElement, title: string, series: uPlot.Series[], yRange?: [number, number]): uPlot {
  const width = Math.max(300, el.clientWidth || 480);
  return new uPlot(
    {
      title,
      width,
      height: 240,
      scales: { x: { time: false }, y: yRange ? { range: yRange } : {} },
      axes: [{ label: 'step', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] }, {}],
      series: [{ label: 'step' }, ...series],
    },
    [[], ...series.map(() => [])] as uPlot.AlignedData,
    el,
  );
}

const steps: number[] = [];
const losses: number[] = [];
const smoothLosses: number[] = [];
const batchAcc: number[] = [];
const heldOut: (number | null)[] = [];
let ema = Number.NaN;
let emaAcc = Number.NaN;

const lossChart = chart($('loss-chart'), 'Training loss', [
  { label: 'batch loss', stroke: '#93c5fd', width: 1 },
  { label: 'smoothed', stroke: '#1d4ed8', width: 2 },
]);
const accChart = chart(
  $('acc-chart'),
  'Accuracy',
  [
    { label: 'train (smoothed)', stroke: '#f59e0b', width: 2 },
    { label: 'held-out', stroke: '#16a34a', width: 2, spanGaps: true, points: { show: true } },
  ],
  [0, 1],
);

let redrawPending = false;
function scheduleRedraw(): void {
  if (redrawPending) return;
  redrawPending = true;
  requestAnimationFrame(() => {
    redrawPending = false;
    lossChart.setData([steps, losses, smoothLosses]);
    accChart.setData([steps, batchAcc, heldOut] as uPlot.AlignedData);
    document.body.dataset.chartPoints = String(steps.length);
  });
}

function clearCharts(): void {
  for (const a of [steps, losses, smoothLosses, batchAcc, heldOut]) a.length = 0;
  ema = Number.NaN;
  emaAcc = Number.NaN;
  scheduleRedraw();
}

// ---------------------------------------------------------------- training controls
const startButton = $<HTMLButtonElement>('start');
const pauseButton = $<HTMLButtonElement>('pause');
const resetButton = $<HTMLButtonElement>('reset');
const optimizerSelect = $<HTMLSelectElement>('optimizer');
const lrInput = $<HTMLInputElement>('lr');
// The menu comes from the playground's one optimizer table (src/train/optimizers.ts).
optimizerSelect.replaceChildren(
  ...OPTIMIZERS.map(
    (name) =>
      new Option(OPTIMIZER_TABLE[name].label, name, name === DEFAULTS.optimizer, name === DEFAULTS.optimizer),
  ),
);
lrInput.value = String(DEFAULT_LR[optimizerSelect.value as OptimizerName]);
const seedInput = $<HTMLInputElement>('seed');
const status = $('status');
let hasModel = false;
let running = false;
let ready = false;
let finished = false;

function setStatus(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle('error', error);
}

function syncButtons(): void {
  startButton.disabled = running || !ready || finished;
  pauseButton.disabled = !running;
  resetButton.disabled = running || !hasModel;
  $<HTMLButtonElement>('export-torch').disabled = !hasModel;
  optimizerSelect.disabled = hasModel;
  lrInput.disabled = hasModel;
  seedInput.disabled = hasModel;
  $<HTMLButtonElement>('race-start').disabled = running || !ready;
  startButton.textContent = hasModel ? 'Resume' : 'Start';
}

optimizerSelect.addEventListener('change', () => {
  lrInput.value = String(DEFAULT_LR[optimizerSelect.value as OptimizerName]);
});

startButton.addEventListener('click', () => {
  const lr = Number(lrInput.value);
  const seed = Number(seedInput.value);
  if (!(lr > 0 && Number.isFinite(lr)))
    return setStatus(`learning rate must be a number > 0, got ${lrInput.value}`, true);
  if (!Number.isInteger(seed) || seed < 0)
    return setStatus(`seed must be an integer ≥ 0, got ${seedInput.value}`, true);
  send({ type: 'start', optimizer: optimizerSelect.value as OptimizerName, lr, seed });
  hasModel = true;
  running = true;
  syncButtons();
  setStatus('Training…');
});
pauseButton.addEventListener('click', () => send({ type: 'pause' }));
resetButton.addEventListener('click', () => {
  send({ type: 'reset' });
  hasModel = false;
  finished = false;
  clearCharts();
  for (const id of ['stat-step', 'stat-epoch']) $(id).textContent = '0';
  for (const id of ['stat-loss', 'stat-acc', 'stat-speed']) $(id).textContent = '–';
  syncButtons();
  setStatus('Reset: a fresh model will be trained on Start.');
});

// PyTorch-layout weights (saveTorchSafetensors from @hw3/core/safetensors): safetensors.torch.load_file + load_state_dict.
$('export-torch').addEventListener('click', () => send({ type: 'export-torch' }));
function downloadTorchWeights(bytes: Uint8Array, step: number): void {
  const url = URL.createObjectURL(
    new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
  );
  const a = document.createElement('a');
  a.href = url;
  a.download = `mnist-cnn-bn-step${step}.safetensors`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  document.body.dataset.torchWeightsBytes = String(bytes.length);
}

// ---------------------------------------------------------------- race
const raceSeries: uPlot.Series[] = [
  { label: 'AdaGrad(η0, ε=0)', stroke: '#dc2626', width: 4 },
  { label: 'Adam(β1=0, β2=1, ε=0, η0/√t)', stroke: '#111827', width: 1.5, dash: [6, 4] },
  { label: 'Adam (defaults, lr 1e-3)', stroke: '#2563eb', width: 2 },
];
const raceChart = chart($('race-chart'), 'Loss per step, same init and batches', raceSeries);
const raceData: number[][] = [[], [], [], []];
$('race-start').addEventListener('click', () => {
  const lr = Number($<HTMLInputElement>('race-lr').value);
  const stepsWanted = Number($<HTMLInputElement>('race-steps').value);
  if (!(lr > 0)) return ($('race-status').textContent = 'η0 must be > 0');
  if (!Number.isInteger(stepsWanted) || stepsWanted < 1)
    return ($('race-status').textContent = 'steps must be ≥ 1');
  for (const a of raceData) a.length = 0;
  raceChart.setData(raceData as uPlot.AlignedData);
  $<HTMLButtonElement>('race-start').disabled = true;
  startButton.disabled = true;
  $('race-status').textContent = 'Racing…';
  send({ type: 'race', lr, steps: stepsWanted, seed: Number(seedInput.value) || 0 });
});

// ---------------------------------------------------------------- worker messages
worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'ready':
      setStatus(
        `${m.trainCount.toLocaleString()} training and ${m.heldOutCount.toLocaleString()} held-out digits loaded. Press Start.`,
      );
      $('stat-threads').textContent = `threads: ${m.threads}`;
      $('stat-threads').title =
        m.threadsNote ?? `${m.kernels}: this worker and a nested worker share the memory`;
      document.body.dataset.threads = String(m.threads);
      document.body.dataset.ready = 'true';
      ready = true;
      syncButtons();
      return;
    case 'step': {
      ema = Number.isNaN(ema) ? m.loss : 0.95 * ema + 0.05 * m.loss;
      emaAcc = Number.isNaN(emaAcc) ? m.accuracy : 0.95 * emaAcc + 0.05 * m.accuracy;
      steps.push(m.step);
      losses.push(m.loss);
      smoothLosses.push(ema);
      batchAcc.push(emaAcc);
      heldOut.push(null);
      $('stat-step').textContent = String(m.step);
      $('stat-epoch').textContent = String(m.epoch);
      $('stat-loss').textContent = ema.toFixed(4);
      $('stat-speed').textContent = Math.round(m.samplesPerSecond).toString();
      // The first losses exactly (JSON round-trips doubles): lets the browser test compare runs bitwise.
      if (losses.length <= 10) document.body.dataset.firstLosses = JSON.stringify(losses);
      scheduleRedraw();
      return;
    }
    case 'eval': {
      const i = steps.lastIndexOf(m.step);
      if (i >= 0) heldOut[i] = m.heldOutAccuracy;
      $('stat-acc').textContent = `${(m.heldOutAccuracy * 100).toFixed(1)}%`;
      $('stat-acc').title = `on ${m.count} held-out digits`;
      document.body.dataset.heldOutAccuracy = String(m.heldOutAccuracy);
      scheduleRedraw();
      return;
    }
    case 'epoch':
      setStatus(
        `Epoch ${m.metrics.epoch}: held-out accuracy ${(m.metrics.heldOutAccuracy * 100).toFixed(2)}% on all 2,000 digits, ` +
          `${Math.round(m.metrics.samplesPerSecond)} samples/s.`,
      );
      return;
    case 'state':
      running = m.running;
      finished = m.done;
      if (m.done) {
        setStatus(`${status.textContent} Training done (${m.step} steps): draw a digit below, or Reset.`);
      } else if (!m.running && hasModel)
        setStatus(`Paused at step ${m.step}. Draw a digit below, or Resume.`);
      syncButtons();
      return;
    case 'prediction':
      showPrediction(m.probabilities);
      return;
    case 'torch-weights':
      downloadTorchWeights(m.bytes, m.step);
      return;
    case 'race-step':
      raceData[0].push(m.step);
      for (let i = 0; i < 3; i++) raceData[i + 1].push(m.losses[i]);
      if (m.step % 2 === 0) raceChart.setData(raceData as uPlot.AlignedData);
      $('race-status').textContent =
        `step ${m.step}: |AdaGrad − Adam(β1=0, β2=1)| = ${m.gap.toExponential(2)}`;
      return;
    case 'race-done': {
      raceChart.setData(raceData as uPlot.AlignedData);
      const gaps = [...m.weightGaps].sort((a, b) => b[1] - a[1]);
      const biases = gaps.filter(([name]) => name === '0.bias' || name === '4.bias');
      const others = gaps.filter(([name]) => name !== '0.bias' && name !== '4.bias');
      $('race-status').textContent =
        `Done in ${m.seconds.toFixed(1)} s (float64). Max |loss gap| over all steps ${m.maxGap.toExponential(2)}: ` +
        `the curves coincide up to float rounding. Largest weight gap ${others[0][1].toExponential(1)} (${others[0][0]}), ` +
        `except the two conv biases (${biases.map(([n, g]) => `${n} ${g.toExponential(1)}`).join(', ')}): BatchNorm subtracts ` +
        "them again, so their gradient is rounding noise that AdaGrad's g/√Σg² scales to full steps, with no effect on the loss.";
      document.body.dataset.raceMaxGap = String(m.maxGap);
      syncButtons();
      return;
    }
    case 'error':
      running = false;
      setStatus(m.message, true);
      $('race-status').textContent = '';
      syncButtons();
      return;
  }
};
worker.onerror = (e) => setStatus(`worker error: ${e.message}`, true);
send({ type: 'init', dataUrl: new URL('./data/mnist-10k.bin', location.href).href });

// ---------------------------------------------------------------- drawing pad
const pad = $<HTMLCanvasElement>('pad');
const padCtx = pad.getContext('2d', { willReadFrequently: true })!;
const preview = $<HTMLCanvasElement>('preview');
const previewCtx = preview.getContext('2d')!;
function clearPad(): void {
  padCtx.fillStyle = '#000';
  padCtx.fillRect(0, 0, pad.width, pad.height);
  previewCtx.fillStyle = '#000';
  previewCtx.fillRect(0, 0, preview.width, preview.height);
  $('prediction').textContent = '–';
  $('probs').textContent = '';
}
clearPad();
let drawing = false;
let last: [number, number] | null = null;
function point(e: PointerEvent): [number, number] {
  const r = pad.getBoundingClientRect();
  return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
}
pad.addEventListener('pointerdown', (e) => {
  drawing = true;
  last = point(e);
  pad.setPointerCapture(e.pointerId);
});
pad.addEventListener('pointermove', (e) => {
  if (!drawing || last === null) return;
  const p = point(e);
  padCtx.strokeStyle = '#fff';
  padCtx.lineWidth = 20;
  padCtx.lineCap = 'round';
  padCtx.beginPath();
  padCtx.moveTo(last[0], last[1]);
  padCtx.lineTo(p[0], p[1]);
  padCtx.stroke();
  last = p;
});
const endStroke = () => {
  if (!drawing) return;
  drawing = false;
  last = null;
  predict();
};
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointerleave', endStroke);
$('clear').addEventListener('click', clearPad);
$('predict').addEventListener('click', predict);

function predict(): void {
  const img = padCtx.getImageData(0, 0, pad.width, pad.height).data;
  const gray = new Float32Array(pad.width * pad.height);
  for (let i = 0; i < gray.length; i++) gray[i] = img[i * 4] / 255;
  const pixels = preprocessDigit(gray, pad.width, pad.height);
  const small = previewCtx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(pixels[i] * 255);
    small.data.set([v, v, v, 255], i * 4);
  }
  const tmp = document.createElement('canvas');
  tmp.width = 28;
  tmp.height = 28;
  tmp.getContext('2d')!.putImageData(small, 0, 0);
  previewCtx.imageSmoothingEnabled = false;
  previewCtx.drawImage(tmp, 0, 0, preview.width, preview.height);
  if (!hasModel) {
    $('prediction').textContent = 'train the model first (Start)';
    return;
  }
  send({ type: 'predict', pixels }, [pixels.buffer]);
}

function showPrediction(p: Float32Array): void {
  let best = 0;
  for (let c = 1; c < 10; c++) if (p[c] > p[best]) best = c;
  $('prediction').textContent = `${best} (${(p[best] * 100).toFixed(1)}%)`;
  document.body.dataset.prediction = String(best);
  const probs = $('probs');
  probs.textContent = '';
  for (let c = 0; c < 10; c++) {
    const label = document.createElement('span');
    label.textContent = String(c);
    const bar = document.createElement('div');
    bar.className = c === best ? 'bar best' : 'bar';
    bar.style.width = `${Math.max(0.5, p[c] * 100)}%`;
    const value = document.createElement('span');
    value.textContent = `${(p[c] * 100).toFixed(1)}%`;
    probs.append(label, bar, value);
  }
}

// ---------------------------------------------------------------- shape calculator and summary
function parseList(text: string): number[] {
  return text
    .split(/[\s,[\]()]+/)
    .filter(Boolean)
    .map(Number);
}
function tuple(text: string): number | number[] {
  const v = parseList(text);
  return v.length === 1 ? v[0] : v;
}
function updateShape(): void {
  const input = parseList($<HTMLInputElement>('shape-input').value);
  const paddingText = $<HTMLInputElement>('shape-padding').value.trim();
  const padding = paddingText === 'same' || paddingText === 'valid' ? paddingText : tuple(paddingText);
  try {
    const out = conv2dShape(input, {
      outChannels: Number($<HTMLInputElement>('shape-out').value),
      kernelSize: tuple($<HTMLInputElement>('shape-kernel').value),
      stride: tuple($<HTMLInputElement>('shape-stride').value),
      padding: padding as never,
      dilation: tuple($<HTMLInputElement>('shape-dilation').value),
    });
    $('shape-result').textContent = `[${out.join(', ')}]`;
    $('shape-result').className = 'ok';
  } catch (error) {
    $('shape-result').textContent = (error as Error).message;
    $('shape-result').className = 'bad';
  }
}
$('shape-formula').textContent =
  "W' = ⌊(W + p_before + p_after − dilation·(k − 1) − 1) / s⌋ + 1; the handout's ⌊(W + 2p − k)/s + 1⌋ is the dilation 1, symmetric case.";
for (const id of [
  'shape-input',
  'shape-out',
  'shape-kernel',
  'shape-stride',
  'shape-padding',
  'shape-dilation',
]) {
  $(id).addEventListener('input', updateShape);
}
updateShape();
$('summary').textContent = formatSummary(summarizeNetwork(mnistCnnBn));

// ---------------------------------------------------------------- batch-norm gradient check
function runBnCheck(): void {
  const table = $('bn-table');
  try {
    const rows = batchNormGradCheck(
      Number($<HTMLInputElement>('bn-m').value),
      Number($<HTMLInputElement>('bn-c').value),
      Number($<HTMLInputElement>('bn-seed').value),
    );
    table.innerHTML =
      '<tr><th>gradient</th><th>analytic (first)</th><th>numeric (first)</th><th>max abs error</th><th>max rel error</th><th></th></tr>';
    for (const r of rows) {
      const tr = document.createElement('tr');
      const ok = r.maxRelError < 1e-5;
      for (const text of [
        r.name,
        r.analytic[0].toPrecision(8),
        r.numeric[0].toPrecision(8),
        r.maxAbsError.toExponential(2),
        r.maxRelError.toExponential(2),
        ok ? '✓' : '✗',
      ]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      tr.className = ok ? 'ok' : 'bad';
      table.append(tr);
    }
  } catch (error) {
    table.innerHTML = '';
    const tr = document.createElement('tr');
    tr.textContent = (error as Error).message;
    table.append(tr);
  }
}
$('bn-run').addEventListener('click', runBnCheck);
runBnCheck();
syncButtons();
