// TypeDoc plugin: every exported function, class, variable, interface and type alias of every
// package must have an `@example` in its doc comment (typedoc's own `notDocumented` validation
// only checks that a comment exists). Each miss is a warning, and `treatWarningsAsErrors` turns
// it into a failure.
// It runs on the merged project only (packages mode validates each package first, with the
// package's options; those runs are skipped).
import { Application, ReflectionKind } from 'typedoc';

/** Kinds of exports that must show an example. */
const REQUIRED =
  ReflectionKind.Function | ReflectionKind.Class | ReflectionKind.Variable | ReflectionKind.Interface | ReflectionKind.TypeAlias;

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    if (app.options.getValue('entryPointStrategy') !== 'packages') return;
    for (const reflection of project.getReflectionsByKind(REQUIRED)) {
      const parent = reflection.parent;
      if (!parent || !parent.kindOf(ReflectionKind.Project | ReflectionKind.Module)) continue;
      const comments = [reflection.comment, ...(reflection.signatures ?? []).map((s) => s.comment)];
      if (comments.some((c) => c?.getTag('@example'))) continue;
      app.logger.warn(`${reflection.getFullName()} (${ReflectionKind[reflection.kind]}) has no @example in its doc comment`);
    }
  });
}
