/** What PriceChart draws: series over a price axis (strike or spot, USD) and labelled levels. */
export interface ChartSeries {
  kind: 'histogram' | 'line';
  title: string;
  colour: string;
  points: { x: number; y: number; colour?: string }[];
  /** 'left': its own value axis on the left (a series of a much smaller scale, e.g. the trader's own book). */
  axis?: 'left';
}

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
