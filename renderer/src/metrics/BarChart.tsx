import { useEffect, useRef } from 'react';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';

// Only what bar charts use, so the bundle carries no other controllers or elements.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export interface BarSeries {
  readonly label: string;
  readonly data: readonly (number | null)[];
  readonly colour: string;
}

interface Props {
  /** Read by screen readers in place of the drawing; the table beside it has the numbers. */
  readonly ariaLabel: string;
  readonly labels: readonly string[];
  readonly series: readonly BarSeries[];
  readonly horizontal?: boolean;
  readonly stacked?: boolean;
  /** Axis title for the values ("Referrals", "Hours"). */
  readonly valueTitle: string;
  readonly integer?: boolean;
  /** Room for many category labels (nine decisions). */
  readonly tall?: boolean;
}

/**
 * A Chart.js bar chart on a canvas. Made once per mount and updated in place when the data
 * change (no re-creation, no animation: figures should not move about under a reader).
 */
export function BarChart({ ariaLabel, labels, series, horizontal = false, stacked = false, valueTitle, integer = true, tall = false }: Props) {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const chart = useRef<Chart<'bar', (number | null)[], string> | null>(null);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const valueAxis = { beginAtZero: true, stacked, title: { display: true, text: valueTitle }, ticks: { precision: integer ? 0 : 1 } };
    const categoryAxis = { stacked, ticks: { autoSkip: false } };
    const config: ChartConfiguration<'bar', (number | null)[], string> = {
      type: 'bar',
      data: { labels: [], datasets: [] },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: series.length > 1, position: 'bottom' } },
        scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      },
    };
    chart.current = new Chart(el, config);
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
    // The chart's shape (axes, stacking) is fixed per mount; the effect below fills in the data.
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = [...labels];
    c.data.datasets = series.map((s) => ({ label: s.label, data: [...s.data], backgroundColor: s.colour, borderWidth: 0, maxBarThickness: 36 }));
    c.update();
  }, [labels, series]);

  return (
    <div className={tall ? 'chart-box tall' : 'chart-box'}>
      <canvas ref={canvas} role="img" aria-label={ariaLabel} />
    </div>
  );
}
