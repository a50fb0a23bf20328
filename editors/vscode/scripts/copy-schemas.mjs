// Copies the JSON schemas dfls compiles into its binary (the repository's schemas/) into this extension, for
// VS Code's `jsonValidation`: one source of truth, copied at build time (schemas/ here is not committed).
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = join(here, "..", "..", "schemas");
const out = join(here, "schemas");
const copies = {
  "dataflow/queryMetadata.202502.schema.json": "queryMetadata.202502.schema.json",
  "fabric/gitIntegration/platformProperties/2.1.0/schema.json": "platformProperties.2.1.0.schema.json",
  "fabric/gitIntegration/schedules/1.0.0/schema.json": "schedules.1.0.0.schema.json",
  "LICENSE-microsoft-json-schemas": "LICENSE-microsoft-json-schemas",
};
mkdirSync(out, { recursive: true });
for (const [from, to] of Object.entries(copies)) {
  copyFileSync(join(repo, from), join(out, to));
}
console.log(`copied ${Object.keys(copies).length} files from schemas/ to editors/vscode/schemas/`);
