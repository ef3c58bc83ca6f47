import type { DiffRow } from './outcome-form-model';

/** The consultant's amendments, field by field: the registrar's value → the one in force. */
export function AmendmentDiff({ rows, caption }: { rows: readonly DiffRow[]; caption: string }) {
  if (!rows.length) return null;
  return (
    <table className="amendment-diff">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Registrar wrote</th>
          <th scope="col">Amended to</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.field} data-field={r.field}>
            <th scope="row">{r.label}</th>
            <td className={r.before ? 'before' : 'before empty'}>
              {r.before ? (
                <>
                  <span className="visually-hidden">removed: </span>
                  {r.before}
                </>
              ) : (
                '(empty)'
              )}
            </td>
            <td className="after">
              <span className="visually-hidden">now: </span>
              {r.after || '(empty)'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
