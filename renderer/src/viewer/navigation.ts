import type { PaneHandle } from './DeepZoomPane';
import type { ViewerCommand } from './keymap';

const ZOOM_STEP = 1.5;
/** A key press pans a fifth of the pane: small enough to keep one's place, big enough to travel. */
const PAN_STEP = 0.2;

/** Carries out a navigation command on a pane; false for commands that are not navigation. */
export function navigate(command: ViewerCommand, pane: PaneHandle): boolean {
  switch (command) {
    case 'zoom-in':
      pane.zoomBy(ZOOM_STEP);
      return true;
    case 'zoom-out':
      pane.zoomBy(1 / ZOOM_STEP);
      return true;
    case 'fit':
      pane.fit();
      return true;
    case 'actual-pixels':
      pane.actualPixels();
      return true;
    case 'pan-left':
      pane.panBy(-PAN_STEP, 0);
      return true;
    case 'pan-right':
      pane.panBy(PAN_STEP, 0);
      return true;
    case 'pan-up':
      pane.panBy(0, -PAN_STEP);
      return true;
    case 'pan-down':
      pane.panBy(0, PAN_STEP);
      return true;
    case 'rotate-cw':
      pane.rotateBy(90);
      return true;
    case 'rotate-ccw':
      pane.rotateBy(-90);
      return true;
    case 'flip':
      pane.toggleFlip();
      return true;
    default:
      return false;
  }
}
