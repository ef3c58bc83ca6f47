import { routeHref } from '../app/route';

/** The case's way to its letters; shown by the outcome summary once the outcome is final. */
export function LettersLink({ referralId }: { referralId: string }) {
  return (
    <a className="button letters-link" href={routeHref({ name: 'letters', referralId })}>
      Letters
    </a>
  );
}
