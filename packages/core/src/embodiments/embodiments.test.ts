import { describe, expect, it } from 'vitest';
import { actionDim, stateDim, validateEmbodimentSpec } from '../embodiment.ts';
import { ValidationError } from '../errors.ts';
import { EMBODIMENTS, embodimentNames, getEmbodiment } from './index.ts';

describe('built-in embodiments', () => {
  it('are the five bodies plus hand, valid, with whole physics/control rate ratios', () => {
    expect(embodimentNames()).toEqual(['arm6', 'arm4', 'mobile', 'bimanual', 'humanoid', 'hand']);
    for (const spec of Object.values(EMBODIMENTS)) {
      expect(validateEmbodimentSpec(spec)).toBe(spec);
      expect(Number.isInteger(spec.physicsHz / spec.controlHz)).toBe(true);
      expect(spec.actionNames).toEqual(spec.joints.map((j) => j.name));
      expect(stateDim(spec)).toBe(actionDim(spec));
      for (const c of spec.cameras) expect([c.width, c.height]).toEqual([96, 96]);
    }
  });

  it('have the documented layouts', () => {
    const aloha = getEmbodiment('bimanual');
    expect(actionDim(aloha)).toBe(14);
    expect(aloha.actionNames.slice(0, 7)).toEqual([
      'left_waist',
      'left_shoulder',
      'left_elbow',
      'left_forearm_roll',
      'left_wrist_angle',
      'left_wrist_rotate',
      'left_gripper',
    ]);
    expect(aloha.actionNames[7]).toBe('right_waist');
    expect(
      getEmbodiment('mobile')
        .joints.slice(0, 3)
        .map((j) => j.kind),
    ).toEqual(['base_x', 'base_y', 'base_yaw']);
    const h = getEmbodiment('humanoid');
    expect(actionDim(h)).toBe(2 + 2 * 8);
    expect(h.cameras.map((c) => c.name)).toEqual(['head']);
    expect(actionDim(getEmbodiment('arm4'))).toBe(5);
    expect(actionDim(getEmbodiment('hand'))).toBe(7);
    expect(() => getEmbodiment('tripod')).toThrow(ValidationError);
  });
});
