import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n';

/**
 * Okabe–Ito colours: told apart with every common colour-vision deficiency. Series also differ
 * in order and in the legend, never by colour alone.
 */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

export interface Category {
  key: string;
  label: string;
}
export interface Series {
  key: string;
  label: string;
}

/** The label column: 30% of the chart, between these; labels wrap within it, as many lines as they take. */
const LABEL_MIN = 110;
const LABEL_MAX = 190;
const VALUE_W = 130;
/** The chart's width when its container does not say (before the first layout). */
const DEFAULT_W = 600;
/** Narrower than this, the bars would be too short to compare: the figure scrolls sideways instead. */
const MIN_W = 320;
const MAX_W = 640;
const BAR_H = 18;
const GAP = 10;
const AXIS_H = 44;
/** 14 px text: the line height of a wrapped label and an average character's width. */
const LINE_H = 17;
const CHAR_W = 7.8;

/**
 * A category label in lines of at most `chars` characters, broken at spaces (a word longer than a
 * line is broken inside). Never cut: a long campaign name takes more lines and its bars' group
 * grows with it. (Cutting labels made "Nurtu…ching" of names a marketer could not recognise, and
 * a third line's "…" hid what told two long names apart.)
 */
export function wrapLabel(label: string, chars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of label.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > 0) {
      const room = chars - (line ? line.length + 1 : 0);
      if (rest.length <= room) {
        line = line ? `${line} ${rest}` : rest;
        rest = '';
      } else if (line) {
        lines.push(line);
        line = '';
      } else {
        lines.push(rest.slice(0, chars));
        rest = rest.slice(chars);
      }
    }
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The width the chart is drawn at: its container's, between MIN_W and MAX_W. The SVG is drawn at
 * that size, one user unit per CSS pixel, so its text keeps the stylesheet's size on a phone
 * instead of being scaled down with a wide viewBox (5 px labels at 390 px).
 */
function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(DEFAULT_W);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const w = Math.round(el.clientWidth);
      if (w > 0) setWidth(Math.min(MAX_W, Math.max(MIN_W, w)));
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}

/** A tick step of 1, 2 or 5 × 10^n that gives about four ticks up to `max`. */
function ticks(max: number): number[] {
  if (max <= 0) return [0];
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step / 2; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * A horizontal bar chart in SVG: one group of bars per category, one bar per series, an x axis
 * with ticks and its unit, and a legend. Every bar carries `data-category`, `data-series` and
 * `data-value` (the API's figure, unrounded), so tests read the values the chart draws.
 */
export function BarChart(props: {
  id: string;
  title: string;
  unit: string;
  categories: Category[];
  series: Series[];
  value: (category: string, series: string) => number;
  /** Text after a category's bars (a drop-off, a share); optional. */
  note?: (category: string) => string;
  /** The text beside a bar (default: the value); '' shows none (a stalled count of 0). */
  valueText?: (series: string, value: number) => string;
}) {
  const { number } = useI18n();
  const [box, width] = useWidth();
  const { categories, series } = props;
  const LABEL_W = Math.min(LABEL_MAX, Math.max(LABEL_MIN, Math.round(width * 0.3)));
  const PLOT_W = width - LABEL_W - VALUE_W;
  const labels = categories.map((c) => wrapLabel(c.label, Math.floor((LABEL_W - 8) / CHAR_W)));
  const values = categories.flatMap((c) => series.map((s) => props.value(c.key, s.key)));
  const axis = ticks(Math.max(0, ...values));
  const top = axis[axis.length - 1] || 1;
  const barsH = series.length * BAR_H;
  // Each category's group is as tall as its bars or its label, whichever is taller.
  const groupHs = labels.map((l) => Math.max(barsH, l.length * LINE_H) + GAP);
  const groupTops = groupHs.map((_, i) => groupHs.slice(0, i).reduce((sum, h) => sum + h, 0));
  const plotBottom = groupHs.reduce((sum, h) => sum + h, 0);
  const height = plotBottom + AXIS_H;
  const x = (v: number) => LABEL_W + (Math.max(0, v) / top) * PLOT_W;
  return (
    <figure class="chart">
      <div class="chart-box" ref={box}>
        <svg
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          role="img"
          aria-labelledby={`${props.id}-title`}
          data-chart={props.id}
        >
          <title id={`${props.id}-title`}>{props.title}</title>
          {axis.map((tick) => (
            <g key={tick}>
              <line x1={x(tick)} x2={x(tick)} y1={0} y2={plotBottom} class="grid" />
              <text x={x(tick)} y={plotBottom + 18} text-anchor="middle" class="tick">
                {number(tick)}
              </text>
            </g>
          ))}
          <line x1={LABEL_W} x2={LABEL_W + PLOT_W} y1={plotBottom} y2={plotBottom} class="axis" />
          <text x={LABEL_W + PLOT_W / 2} y={plotBottom + 38} text-anchor="middle" class="unit">
            {props.unit}
          </text>
          {categories.map((c, ci) => {
            // Bars centred in the group's height; a two-line label centred on the bars.
            const y0 = groupTops[ci] + GAP / 2 + (groupHs[ci] - GAP - barsH) / 2;
            const lines = labels[ci];
            const firstLine = y0 + barsH / 2 + 5 - ((lines.length - 1) * LINE_H) / 2;
            return (
              <g key={c.key} data-category={c.key}>
                <text x={LABEL_W - 8} y={firstLine} text-anchor="end" class="label">
                  <title>{c.label}</title>
                  {lines.map((l, li) => (
                    <tspan key={li} x={LABEL_W - 8} y={firstLine + li * LINE_H}>
                      {l}
                    </tspan>
                  ))}
                </text>
                {series.map((s, si) => {
                  const v = props.value(c.key, s.key);
                  const y = y0 + si * BAR_H;
                  const note = si === series.length - 1 && props.note ? props.note(c.key) : '';
                  const shown = props.valueText ? props.valueText(s.key, v) : number(v);
                  const text = note ? `${shown}  ${note}` : shown;
                  return (
                    <g key={s.key}>
                      <rect
                        x={LABEL_W}
                        y={y + 1}
                        width={Math.max(0, x(v) - LABEL_W)}
                        height={BAR_H - 2}
                        fill={PALETTE[si % PALETTE.length]}
                        data-category={c.key}
                        data-series={s.key}
                        data-value={String(v)}
                      >
                        <title>{`${c.label}, ${s.label}: ${number(v)}`}</title>
                      </rect>
                      {/* No empty text element where valueText says nothing (a stalled count of 0). */}
                      {text ? (
                        <text x={x(v) + 4} y={y + BAR_H - 4} class="value">
                          {text}
                        </text>
                      ) : null}
                    </g>
                  );
                })}
              </g>
            );
          })}
        </svg>
      </div>
      {series.length > 1 ? (
        <figcaption>
          <ul class="legend">
            {series.map((s, si) => (
              <li key={s.key}>
                <svg width="14" height="14" aria-hidden="true">
                  <rect width="14" height="14" fill={PALETTE[si % PALETTE.length]} />
                </svg>{' '}
                {s.label}
              </li>
            ))}
          </ul>
        </figcaption>
      ) : null}
    </figure>
  );
}
