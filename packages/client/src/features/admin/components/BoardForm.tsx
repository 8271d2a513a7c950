import type { FormEvent } from 'react';
import type { DisplayFormat } from '../../../api/types';
import type { BoardFormValues, ResetKind } from '../board-form';
import { useBoardForm, type BoardFormMode } from '../hooks/useBoardForm';
import { FormField } from './FormField';
import { RankingField } from './RankingField';

const RESETS: Array<{ value: ResetKind; label: string }> = [
  { value: 'never', label: 'Never' },
  { value: 'daily', label: 'Daily (midnight)' },
  { value: 'weekly', label: 'Weekly (Monday 00:00)' },
  { value: 'monthly', label: 'Monthly (the 1st, 00:00)' },
  { value: 'cron', label: 'Custom (cron expression)' },
];

const DISPLAY_FORMATS: Array<{ value: DisplayFormat; label: string }> = [
  { value: 'integer', label: 'Whole numbers (1,234)' },
  { value: 'decimal:1', label: 'Tenths (value 12345 shows 1,234.5)' },
  { value: 'decimal:2', label: 'Hundredths (value 12345 shows 123.45)' },
  { value: 'decimal:3', label: 'Thousandths (value 12345 shows 12.345)' },
  { value: 'duration:ms', label: 'Time in milliseconds (93125 shows 1:33.125)' },
  { value: 'duration:s', label: 'Time in seconds (93 shows 1:33)' },
];

const TIMEZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];

/**
 * A board's settings, for creating one or editing one. The server validates (the form does not
 * second-guess it: ids, names, cron expressions and time zones are its to judge) and its field
 * errors show next to the fields; after a refusal the first field in error takes the focus.
 * `rankingLockedBecause` says why the ranking cannot change: it then stays as it was.
 */
export function BoardForm({
  mode,
  initial,
  pending,
  error,
  submitLabel,
  rankingLockedBecause = null,
  onSave,
}: {
  mode: BoardFormMode;
  initial: BoardFormValues;
  pending: boolean;
  error: unknown;
  submitLabel: string;
  rankingLockedBecause?: string | null;
  onSave: (values: BoardFormValues) => void;
}) {
  const { base, values, set, problems, inputId, hintId, errorId, described, fieldParts } =
    useBoardForm(mode, initial, error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSave(rankingLockedBecause ? { ...values, ranking: initial.ranking } : values);
  };

  return (
    <form className="board-form" onSubmit={submit} noValidate>
      {mode === 'create' && (
        <FormField
          label="Id"
          hint="1 to 64 of a-z, 0-9 and -; cannot change later."
          {...fieldParts('id')}
        >
          <input
            id={inputId('id')}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={values.id}
            onChange={(e) => set('id', e.target.value)}
            {...described('id', true)}
          />
        </FormField>
      )}
      <FormField label="Name" {...fieldParts('name')}>
        <input
          id={inputId('name')}
          type="text"
          autoComplete="off"
          value={values.name}
          onChange={(e) => set('name', e.target.value)}
          {...described('name', false)}
        />
      </FormField>
      {mode === 'create' && (
        <fieldset className="field" {...described('sort', false)}>
          <legend>Order</legend>
          <label className="inline">
            <input
              type="radio"
              name={`${base}-sort`}
              id={inputId('sort')}
              checked={values.sort === 'desc'}
              onChange={() => set('sort', 'desc')}
            />{' '}
            Higher is better
          </label>
          <label className="inline">
            <input
              type="radio"
              name={`${base}-sort`}
              checked={values.sort === 'asc'}
              onChange={() => set('sort', 'asc')}
            />{' '}
            Lower is better (e.g. race times)
          </label>
          {problems.fields.sort && (
            <p id={errorId('sort')} className="field-error">
              {problems.fields.sort}
            </p>
          )}
        </fieldset>
      )}
      <RankingField
        inputId={inputId('ranking')}
        hintId={hintId('ranking')}
        errorId={errorId('ranking')}
        value={rankingLockedBecause ? initial.ranking : values.ranking}
        lockedBecause={rankingLockedBecause}
        error={problems.fields.ranking}
        onChange={(ranking) => set('ranking', ranking)}
      />
      <FormField
        label="Lowest score allowed"
        hint={mode === 'create' ? 'Empty: the configured minimum.' : undefined}
        {...fieldParts('score_min')}
      >
        <input
          id={inputId('score_min')}
          type="number"
          step={1}
          inputMode="numeric"
          value={values.score_min}
          onChange={(e) => set('score_min', e.target.value)}
          {...described('score_min', mode === 'create')}
        />
      </FormField>
      <FormField
        label="Highest score allowed"
        hint={mode === 'create' ? 'Empty: the configured maximum.' : undefined}
        {...fieldParts('score_max')}
      >
        <input
          id={inputId('score_max')}
          type="number"
          step={1}
          inputMode="numeric"
          value={values.score_max}
          onChange={(e) => set('score_max', e.target.value)}
          {...described('score_max', mode === 'create')}
        />
      </FormField>
      <FormField
        label="Values shown as"
        hint="How values read everywhere; scores are still sent as whole numbers."
        {...fieldParts('display_format')}
      >
        <select
          id={inputId('display_format')}
          value={values.display_format}
          onChange={(e) => set('display_format', e.target.value as DisplayFormat)}
          {...described('display_format', true)}
        >
          {DISPLAY_FORMATS.map(({ value, label }) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </FormField>
      <FormField
        label="Unit"
        hint="Shown after values (pts, km); empty: none."
        {...fieldParts('unit')}
      >
        <input
          id={inputId('unit')}
          maxLength={16}
          value={values.unit}
          onChange={(e) => set('unit', e.target.value)}
          {...described('unit', true)}
        />
      </FormField>
      <div className="field">
        <label htmlFor={`${base}-reset-kind`}>Reset</label>
        <select
          id={`${base}-reset-kind`}
          value={values.resetKind}
          onChange={(e) => set('resetKind', e.target.value as ResetKind)}
          {...(values.resetKind === 'cron' ? {} : described('reset', true))}
        >
          {RESETS.map((reset) => (
            <option key={reset.value} value={reset.value}>
              {reset.label}
            </option>
          ))}
        </select>
        {values.resetKind !== 'cron' && (
          <p id={hintId('reset')} className="hint">
            {mode === 'edit'
              ? 'A new schedule applies from the next period on.'
              : 'In the time zone below.'}
          </p>
        )}
        {values.resetKind !== 'cron' && problems.fields.reset && (
          <p id={errorId('reset')} className="field-error">
            {problems.fields.reset}
          </p>
        )}
      </div>
      {values.resetKind === 'cron' && (
        <FormField
          label="Cron expression"
          hint="Five fields: minute hour day-of-month month day-of-week, e.g. 0 6 * * 1."
          {...fieldParts('reset')}
        >
          <input
            id={inputId('reset')}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={values.cron}
            onChange={(e) => set('cron', e.target.value)}
            {...described('reset', true)}
          />
        </FormField>
      )}
      <FormField
        label="Time zone"
        hint="An IANA name, e.g. Europe/Paris."
        {...fieldParts('timezone')}
      >
        <input
          id={inputId('timezone')}
          type="text"
          list={`${base}-timezones`}
          autoComplete="off"
          spellCheck={false}
          value={values.timezone}
          onChange={(e) => set('timezone', e.target.value)}
          {...described('timezone', true)}
        />
        <datalist id={`${base}-timezones`}>
          {TIMEZONES.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      </FormField>
      <FormField
        label="Max submissions per minute"
        hint="Per player; 0 means no limit."
        {...fieldParts('max_submissions_per_minute')}
      >
        <input
          id={inputId('max_submissions_per_minute')}
          type="number"
          min={0}
          step={1}
          inputMode="numeric"
          value={values.max_submissions_per_minute}
          onChange={(e) => set('max_submissions_per_minute', e.target.value)}
          {...described('max_submissions_per_minute', true)}
        />
      </FormField>
      <div className="field">
        <label className="inline">
          <input
            type="checkbox"
            id={inputId('authoritative')}
            checked={values.authoritative}
            onChange={(e) => set('authoritative', e.target.checked)}
            {...described('authoritative', false)}
          />{' '}
          Authoritative: scores from trusted servers only
        </label>
        {problems.fields.authoritative && (
          <p id={errorId('authoritative')} className="field-error">
            {problems.fields.authoritative}
          </p>
        )}
      </div>
      {mode === 'edit' && (
        <div className="field">
          <label className="inline">
            <input
              type="checkbox"
              id={inputId('archived')}
              checked={values.archived}
              onChange={(e) => set('archived', e.target.checked)}
              {...described('archived', false)}
            />{' '}
            Archived: hidden, and closed to new scores
          </label>
          {problems.fields.archived && (
            <p id={errorId('archived')} className="field-error">
              {problems.fields.archived}
            </p>
          )}
        </div>
      )}
      {problems.general && (
        <p className="error" role="alert">
          {problems.general}
        </p>
      )}
      <button type="submit" className="primary" disabled={pending}>
        {pending ? 'Saving…' : submitLabel}
      </button>
    </form>
  );
}
