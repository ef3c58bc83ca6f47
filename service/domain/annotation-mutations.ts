import { AnnotationPayload, ReferralMutationPayload, shapePoints, type Annotation, type Mutation } from '../../shared/contract';
import type { Tx } from '../repo/repository';
import { userRef, type Actor } from './actor';
import { annotationChange } from './change-writer';
import { checkVersion, conflict, parsePayload, reject } from './refusal';
import type { Applied } from './referral-mutations';

/** `annotation.save`: create (no or zero `baseVersion`) or change a shape on an image. */
export async function saveAnnotation(tx: Tx, actor: Actor, m: Mutation, now: Date): Promise<Applied> {
  const payload = parsePayload(AnnotationPayload, m.payload);
  const image = await tx.getImage(payload.imageId);
  if (!image) throw reject('unknown_image', 'No such image');
  const outside = shapePoints(payload.shape).find((p) => p.x > image.width || p.y > image.height || p.x < 0 || p.y < 0);
  if (outside) throw reject('shape_outside_image', `The shape reaches (${outside.x}, ${outside.y}), outside the ${image.width}×${image.height} image`);

  const stored = await tx.getAnnotation(m.entityId);
  const at = now.toISOString();
  const fields = { shape: payload.shape, label: payload.label ?? null, note: payload.note ?? null };
  let annotation: Annotation;
  if (!stored) {
    if (m.baseVersion !== undefined && m.baseVersion !== 0) throw conflict('The annotation does not exist yet', 0);
    annotation = { ...fields, id: m.entityId, imageId: image.id, referralId: image.referralId, version: 1, author: userRef(actor), createdAt: at, updatedAt: at };
    await tx.insertAnnotation(annotation);
  } else {
    if (stored.deleted) throw reject('annotation_deleted', 'The annotation was deleted; save a new one');
    const current = stored.annotation;
    if (current.imageId !== image.id) throw reject('image_mismatch', 'An annotation cannot move to another image');
    if (current.author.id !== actor.id) throw reject('not_author', 'Only its author may change an annotation');
    checkVersion('annotation', current.version, m.baseVersion);
    annotation = { ...current, ...fields, version: current.version + 1, updatedAt: at };
    await tx.updateAnnotation(annotation);
  }
  await annotationChange(tx, annotation);
  return { entityVersion: annotation.version, auditDetail: { imageId: image.id, referralId: image.referralId, shape: annotation.shape.kind } };
}

/** `annotation.delete`: its author, or a consultant, removes it; the feed carries a deletion. */
export async function deleteAnnotation(tx: Tx, actor: Actor, m: Mutation): Promise<Applied> {
  parsePayload(ReferralMutationPayload, m.payload ?? undefined);
  const stored = await tx.getAnnotation(m.entityId);
  if (!stored) throw reject('unknown_annotation', 'No such annotation');
  const current = stored.annotation;
  if (stored.deleted) throw reject('annotation_deleted', 'The annotation is already deleted');
  if (current.author.id !== actor.id && actor.role !== 'consultant') throw reject('not_author', 'Only its author or a consultant may delete an annotation');
  checkVersion('annotation', current.version, m.baseVersion);
  const version = current.version + 1;
  await tx.markAnnotationDeleted(current.id, version);
  await tx.appendChange({ type: 'annotation', id: current.id, version, data: null, deleted: true, referrerUserId: null });
  return { entityVersion: version, auditDetail: { imageId: current.imageId, referralId: current.referralId } };
}
