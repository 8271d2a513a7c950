import { useQuery } from '@tanstack/react-query';
import { useLayoutEffect, useRef, useState } from 'react';
import { queries } from '../../../api/queries';
import type { Board, ScoreItem } from '../../../api/types';
import { formatExact } from '../../../components/format-relative';
import { QueryError } from '../../../components/QueryError';
import { formatValue } from '../../boards/format-value';
import { fitAxis } from '../score-ticks';

/** Drawn in CSS pixels, one to one, so that the text is as large as the page's. */
const HEIGHT = 220;
/** The width drawn for until the figure's own is known (and where there is no layout). */
const FALLBACK_WIDTH = 600;
const TOP = 12;
const RIGHT = 16;
const BOTTOM = 48;
/** An axis label's digit is about this wide at 12 px. */
const DIGIT_WIDTH = 7.5;

type AxisFormats = {
  dayAndTime: Intl.DateTimeFormat;
  timeOnly: Intl.DateTimeFormat;
  dayOf: Intl.DateTimeFormat;
};
const axisFormatsIn = new Map<string, AxisFormats>();

/** The axis' time labels in the board's time zone, as its hover texts and periods are. */
function axisFormats(timeZone: string): AxisFormats {
  let formats = axisFormatsIn.get(timeZone);
  if (!formats) {
    formats = {
      dayAndTime: new Intl.DateTimeFormat(undefined, {
        month: 'short',
        day: 'numeric',
        hour: 'numeric',
        minute: '2-digit',
        timeZone,
      }),
      timeOnly: new Intl.DateTimeFormat(undefined, {
        hour: 'numeric',
        minute: '2-digit',
        timeZone,
      }),
      dayOf: new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeZone }),
    };
    axisFormatsIn.set(timeZone, formats);
  }
  return formats;
}

/** The element's width in CSS pixels, kept up to date as it changes. */
function useWidth<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(FALLBACK_WIDTH);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const measure = () => {
      if (element.clientWidth > 0) setWidth(element.clientWidth);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}

/** The latest submission's time, its day left out when it is the first's: both fit a phone. */
function latestLabel(first: ScoreItem, latest: ScoreItem, timeZone: string): string {
  const { dayAndTime, timeOnly, dayOf } = axisFormats(timeZone);
  const [from, to] = [new Date(first.created_at), new Date(latest.created_at)];
  return (dayOf.format(from) === dayOf.format(to) ? timeOnly : dayAndTime).format(to);
}

function summarize(points: ScoreItem[], board: Board): string {
  if (points.length === 0) return 'No scores yet.';
  const values = points.map((p) => p.value);
  const show = (value: number) => formatValue(value, board);
  if (values.length === 1) return `1 score: ${show(values[0]!)}.`;
  return (
    `${values.length} scores: first ${show(values[0]!)}, latest ${show(values[values.length - 1]!)}, ` +
    `lowest ${show(Math.min(...values))}, highest ${show(Math.max(...values))}.`
  );
}

/** My scores on the selected board in the order submitted (the latest 50), oldest on the left. */
export function ScoreChart({
  token,
  board,
  poll,
}: {
  token: string;
  board: Board;
  poll: number | false;
}) {
  const [areaRef, width] = useWidth<HTMLDivElement>();
  const scores = useQuery({ ...queries.scores(token, board.id), refetchInterval: poll });
  const points = [...(scores.data?.items ?? [])].reverse();
  // Fitted to the scores drawn; the board's range may have changed since older ones were sent.
  const { min, max, ticks } = fitAxis(
    points.map((p) => p.value),
    board.score_min,
    board.score_max,
  );
  const label = (value: number) => formatValue(value, board);
  const left = 30 + Math.max(...ticks.map((t) => label(t).length)) * DIGIT_WIDTH;
  const right = width - RIGHT;
  const bottom = HEIGHT - BOTTOM;
  const x = (i: number) =>
    points.length <= 1 ? (left + right) / 2 : left + (i * (right - left)) / (points.length - 1);
  const y = (value: number) => bottom - ((value - min) * (bottom - TOP)) / Math.max(1, max - min);
  const first = points[0];
  const latest = points.length > 1 ? points[points.length - 1] : undefined;
  const summary = scores.isPending ? 'Loading…' : summarize(points, board);

  return (
    <section className="card" aria-labelledby="chart-title">
      <h2 id="chart-title">My scores over time</h2>
      <QueryError query={scores} />
      <figure className="chart">
        <div ref={areaRef}>
          <svg viewBox={`0 0 ${width} ${HEIGHT}`} role="img" aria-label={summary}>
            {ticks.map((tick) => (
              <g key={tick}>
                <line x1={left} y1={y(tick)} x2={right} y2={y(tick)} className="grid" />
                <text x={left - 6} y={y(tick)} className="tick" textAnchor="end" dy="0.35em">
                  {label(tick)}
                </text>
              </g>
            ))}
            <line x1={left} y1={bottom} x2={right} y2={bottom} className="baseline" />
            <text
              className="axis-title"
              textAnchor="middle"
              transform={`translate(14 ${(TOP + bottom) / 2}) rotate(-90)`}
            >
              Score
            </text>
            {first && (
              <text
                x={x(0)}
                y={bottom + 18}
                className="tick"
                textAnchor={latest ? 'start' : 'middle'}
              >
                {axisFormats(board.timezone).dayAndTime.format(new Date(first.created_at))}
              </text>
            )}
            {latest && (
              <text x={right} y={bottom + 18} className="tick" textAnchor="end">
                {latestLabel(first!, latest, board.timezone)}
              </text>
            )}
            <text x={(left + right) / 2} y={HEIGHT - 6} className="axis-title" textAnchor="middle">
              Submissions, oldest to latest
            </text>
            {points.length > 1 && (
              <polyline
                points={points.map((p, i) => `${x(i)},${y(p.value)}`).join(' ')}
                className="line"
              />
            )}
            {points.map((p, i) => (
              <circle key={p.id} cx={x(i)} cy={y(p.value)} r={3.5} className="dot">
                <title>{`${label(p.value)}, ${formatExact(new Date(p.created_at), board.timezone)}`}</title>
              </circle>
            ))}
          </svg>
        </div>
        <figcaption className="hint">{summary}</figcaption>
      </figure>
    </section>
  );
}
