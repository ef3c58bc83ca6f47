import type { Letter } from './letter-model';

/**
 * One letter as it prints: every string is a text node (React escapes it), so a question
 * containing markup prints as the characters typed. Paragraphs keep their line breaks.
 */
export function LetterSheet({ letter, id }: { letter: Letter; id?: string }) {
  return (
    <article className="letter-sheet" id={id} aria-label={letter.kind === 'gp' ? 'Letter to the GP' : 'Letter to the patient'} data-letter={letter.kind}>
      <header className="letter-head">
        <address className="letter-to">
          {letter.to.map((line, i) => (
            <span key={i}>{line}</span>
          ))}
        </address>
        <div className="letter-from">
          {letter.from.map((line, i) => (
            <span key={i} className={i === 0 ? 'letter-service' : undefined}>
              {line}
            </span>
          ))}
          <span className="letter-date">{letter.date}</span>
        </div>
      </header>
      <h2 className="letter-title">{letter.title}</h2>
      <dl className="letter-identifiers" aria-label="Patient identifiers">
        {letter.identifiers.map((f) => (
          <div key={f.label}>
            <dt>{f.label}</dt>
            <dd className={f.label === 'NHS number' ? 'nhs' : undefined}>{f.value}</dd>
          </div>
        ))}
      </dl>
      <p className="letter-salutation">{letter.salutation}</p>
      {letter.sections.map((s) => (
        <section key={s.heading} className="letter-section">
          <h3>{s.heading}</h3>
          {s.paragraphs.map((p, i) => (
            <p key={i} className="prewrap">
              {p}
            </p>
          ))}
          {s.items && (
            <ul>
              {s.items.map((item, i) => (
                <li key={i}>{item}</li>
              ))}
            </ul>
          )}
        </section>
      ))}
      <footer className="letter-sign">
        <p>{letter.closing}</p>
        <p className="letter-signature">
          <span className="letter-signer">{letter.signature.name}</span>
          <span>{letter.signature.role}</span>
        </p>
        {letter.notes.map((n, i) => (
          <p key={i} className="letter-note">
            {n}
          </p>
        ))}
      </footer>
    </article>
  );
}
