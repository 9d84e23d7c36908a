// Validates rendered Kubernetes manifests against the schemas of Kubernetes 1.27
// (kubernetes-models), offline: wrong types, bad enums and missing required fields. Unknown fields
// are not caught; ManifestsTest checks the structure that matters to Troupe.
//
//   node validate.mjs rendered.yaml...    prints one line per document, exits 1 on any error
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

let failed = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const obj = doc.toJS();
    if (!obj) continue;
    if (obj.kind === 'Secret') {
      // kustomize folds long base64 values over several lines; the API server's decoder skips
      // the line breaks, the schema's "byte" format does not
      for (const k of Object.keys(obj.data ?? {})) obj.data[k] = obj.data[k].replace(/\s+/g, '');
    }
    const { apiVersion, kind } = obj;
    const what = `${file}: ${kind} ${obj.metadata?.name}`;
    let model;
    try {
      model = (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
    } catch (e) {
      console.log(`FAIL ${what}: no schema for ${apiVersion} ${kind}`);
      failed++;
      continue;
    }
    try {
      new model(obj).validate();
      console.log(`ok   ${what}`);
      checked++;
    } catch (e) {
      console.log(`FAIL ${what}: ${e.message}`);
      failed++;
    }
  }
}
console.log(`${checked} valid, ${failed} invalid`);
process.exit(failed > 0 || checked === 0 ? 1 : 0);
