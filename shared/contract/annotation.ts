import { z } from 'zod';
import { IsoDateTime, Text, UserRef, Uuid } from './common';

/** A position in the full-resolution image's pixels (origin top left), so zoom never changes it. */
export const Point = z.strictObject({
  x: z.number().finite().nonnegative(),
  y: z.number().finite().nonnegative(),
});
export type Point = z.infer<typeof Point>;

const Length = z.number().finite().positive();

/**
 * What a clinician drew. A `line` is a measurement: the viewer turns its length into
 * millimetres with the image's scale (`mmPerPixel`) or a calibration.
 */
export const AnnotationShape = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('point'), at: Point }),
  z.strictObject({ kind: z.literal('line'), from: Point, to: Point }),
  z.strictObject({ kind: z.literal('rect'), x: Point.shape.x, y: Point.shape.y, width: Length, height: Length }),
  z.strictObject({ kind: z.literal('ellipse'), center: Point, rx: Length, ry: Length }),
  z.strictObject({ kind: z.literal('polygon'), points: z.array(Point).min(3).max(1000) }),
  z.strictObject({ kind: z.literal('freehand'), points: z.array(Point).min(2).max(5000) }),
]);
export type AnnotationShape = z.infer<typeof AnnotationShape>;

/** `annotation.save`: `entityId` is the annotation's own id, made by the client. */
export const AnnotationPayload = z.strictObject({
  imageId: Uuid,
  shape: AnnotationShape,
  label: Text(200).optional(),
  note: Text(2000).optional(),
});
export type AnnotationPayload = z.infer<typeof AnnotationPayload>;

export const Annotation = z.object({
  id: Uuid,
  imageId: Uuid,
  referralId: Uuid,
  version: z.number().int().positive(),
  shape: AnnotationShape,
  label: z.string().nullable(),
  note: z.string().nullable(),
  author: UserRef,
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type Annotation = z.infer<typeof Annotation>;

/** Every point a shape touches, to check it lies inside its image. */
export function shapePoints(shape: AnnotationShape): Point[] {
  switch (shape.kind) {
    case 'point':
      return [shape.at];
    case 'line':
      return [shape.from, shape.to];
    case 'rect':
      return [{ x: shape.x, y: shape.y }, { x: shape.x + shape.width, y: shape.y + shape.height }];
    case 'ellipse':
      return [
        { x: shape.center.x - shape.rx, y: shape.center.y - shape.ry },
        { x: shape.center.x + shape.rx, y: shape.center.y + shape.ry },
      ];
    case 'polygon':
    case 'freehand':
      return shape.points;
  }
}
