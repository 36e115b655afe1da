export { ScriptedExpert, ExpertPolicy, QUALITIES, type Quality, type ExpertStep } from './scripted-expert.ts';
export { MotionController, type Command, type ArmCommand } from './motion.ts';
export { bodyConfig, type ArmConfig, type BodyConfig } from './arms.ts';
export { dlsStep, rotationError } from './ik.ts';
