import { LinkBody, type LinkResult } from "@switchyard/contract";
import { CoreError, linkTasks, unlinkTasks } from "@switchyard/core";
import { parseInput } from "../args.ts";
import type { RegisterVerbs } from "../context.ts";

/** link and unlink (reference §4, §10.2): the child waits until the parent is done. */

const LINK_JSON = "print {ok, parent_id, child_id} (as kanban_link returns it)";
export const registerLinks: RegisterVerbs = (program, cli) => {
  program
    .command("link")
    .description("make <child> wait until <parent> is done")
    .argument("<parent>", "the task that must finish first")
    .argument("<child>", "the task that waits")
    .option("--json", LINK_JSON)
    .action(async (parent: string, child: string, opts: { json?: boolean }) => {
      const link = parseInput(
        LinkBody,
        { parent_id: parent, child_id: child },
        { parent_id: "<parent>", child_id: "<child>" },
      );
      await linkTasks(await cli.kernel(), link.parent_id, link.child_id);
      if (opts.json) return cli.json({ ok: true, ...link } satisfies LinkResult);
      cli.out(`Linked ${parent} -> ${child}`);
    });

  program
    .command("unlink")
    .description("remove the dependency of <child> on <parent>")
    .argument("<parent>", "the parent task")
    .argument("<child>", "the child task")
    .option("--json", LINK_JSON)
    .action(async (parent: string, child: string, opts: { json?: boolean }) => {
      if (!(await unlinkTasks(await cli.kernel(), parent, child))) {
        throw new CoreError("not_found", `no link ${parent} -> ${child}`);
      }
      if (opts.json) return cli.json({ ok: true, parent_id: parent, child_id: child } satisfies LinkResult);
      cli.out(`Unlinked ${parent} -> ${child}`);
    });
};
