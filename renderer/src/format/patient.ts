import type { Patient } from '../../../shared/contract';

/** NHS patient-banner convention: FAMILY name in capitals, then given name ("EXAMPLE, Ada"). */
export function patientName(patient: Pick<Patient, 'name'>): string {
  return `${patient.name.family.toUpperCase()}, ${patient.name.given}`;
}
