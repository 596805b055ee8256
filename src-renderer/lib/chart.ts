/**
 * What the Exposure view's charts draw, and the one colour meaning they share: green where dealers are long gamma
 * (their hedging trades against the move and dampens it), red where they are short gamma (their hedging trades
 * with the move and amplifies it). Calls and puts, spot and the levels use other hues so green and red keep that
 * one meaning.
 */

/** Dealers long gamma (+GEX): hedging sells rallies and buys dips. */
export const DAMPENING = '#3fb68b';
/** Dealers short gamma (−GEX): hedging buys rallies and sells dips. */
export const AMPLIFYING = '#e0585b';
export const CALLS = '#7fb2ff';
export const PUTS = '#c39bff';
export const SPOT = '#e3b341';
export const BOOK = '#ff8fd8';

/** A series over a numeric horizontal axis (strike or spot, USD). */
export interface ChartSeries {
  /** bars: one per point from zero; line: joined points; ticks: a short horizontal dash per point. */
  kind: 'bars' | 'line' | 'ticks';
  title: string;
  colour: string;
  /** Bars below zero, and the fill below zero of a filled line; defaults to `colour`. */
  colourBelow?: string;
  /** Line: fill between the line and zero (with `colour` above, `colourBelow` below). */
  fill?: boolean;
  dashed?: boolean;
  points: { x: number; y: number }[];
  /** 'left': its own value axis on the left, zero aligned with the right axis (e.g. the trader's own book). */
  axis?: 'left';
}

/** A level drawn as a vertical line with its name on top (spot, flip, walls). */
export interface ChartMarker {
  x: number;
  text: string;
  colour: string;
}

/** `$12.3M`, `-$850k`: compact USD for axes and readouts. */
export function compactUsd(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${sign}$${(abs / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `${sign}$${(abs / 1e6).toFixed(2)}M`;
  if (abs >= 1e3) return `${sign}$${(abs / 1e3).toFixed(1)}k`;
  return `${sign}$${abs.toFixed(0)}`;
}

/** `$40M`, `-$2.5k`: an axis label, no more digits than the tick step needs. */
export function axisUsd(value: number): string {
  if (value === 0) return '$0';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const [scaled, suffix] = abs >= 1e9 ? [abs / 1e9, 'B'] : abs >= 1e6 ? [abs / 1e6, 'M'] : abs >= 1e3 ? [abs / 1e3, 'k'] : [abs, ''];
  return `${sign}$${Number(scaled.toPrecision(3))}${suffix}`;
}

/**
 * A diverging colour for a value on a symmetric scale ±`scale`: dark at zero, green or red at the ends by what the
 * sign means. `positiveDampens`: + is dealers long gamma (GEX); otherwise + amplifies (a hedge bought into a rise).
 */
export function gammaColour(value: number, scale: number, positiveDampens: boolean): string {
  if (!Number.isFinite(value) || !(scale > 0)) return '#141a22';
  const t = Math.min(1, Math.sqrt(Math.abs(value) / scale)); // sqrt: small values stay visible
  const dampens = value >= 0 === positiveDampens;
  const [r, g, b] = dampens ? [63, 182, 139] : [224, 88, 91];
  const mix = (c: number, base: number): number => Math.round(base + (c - base) * t);
  return `rgb(${mix(r, 20)}, ${mix(g, 26)}, ${mix(b, 34)})`;
}

/**
 * Sizes a canvas for the screen's pixel ratio (sharp lines on high-DPI screens), clears it and returns its 2D
 * context drawing in CSS pixels; null when the canvas has no 2D context.
 */
export function prepareCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const context = canvas.getContext('2d');
  if (!context) return null;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  return context;
}
