// How a Model Registry version links to its model card. Labels cannot hold a URI (lowercase letters,
// digits, `_` and `-`, at most 63 characters), so the link is in the version description, which the
// console shows on the version's page and `gcloud ai models describe` prints; the `model_card` label
// makes versions with a card filterable (`labels.model_card="md-html"`), and the card always lies
// at `<artifactUri>/model_card.{md,html}`, which the API derives for each version.

/** The label value of a version registered with its card (Markdown and HTML). */
export const MODEL_CARD_LABEL = 'md-html';

const MAX_DESCRIPTION = 1000;

/**
 * The first code points of `text` that fit in `max` UTF-16 units: a cut inside a surrogate pair would
 * leave half an emoji, which is not valid UTF-8 and makes the registration fail for good.
 */
function cut(text: string, max: number): string {
  let kept = 0;
  for (const c of text) {
    if (kept + c.length > max) break;
    kept += c.length;
  }
  return text.slice(0, kept);
}

/**
 * The description with the card's link at its end; the reasons are shortened, never the link. A link
 * that does not fit with both URIs names the HTML card only (the Markdown one is beside it), and one
 * that does not fit at all is left out (the `model_card` label still says where the card is).
 */
export function withModelCardLink(description: string, card: { readonly markdownUri: string; readonly htmlUri: string } | undefined): string {
  const links = card ? [` | model card: ${card.htmlUri} (Markdown: ${card.markdownUri})`, ` | model card: ${card.htmlUri}`] : [];
  const link = links.find((l) => l.length <= MAX_DESCRIPTION) ?? '';
  return `${cut(description, MAX_DESCRIPTION - link.length)}${link}`;
}

/** The card's URIs of a version, when its labels say it has one. */
export function versionModelCard(version: { readonly artifactUri?: string | null; readonly labels?: Readonly<Record<string, string>> | null }): { markdownUri: string; htmlUri: string } | undefined {
  if (!version.artifactUri || version.labels?.model_card !== MODEL_CARD_LABEL) return undefined;
  return modelCardUris(version.artifactUri);
}

/** The card's place: beside the version's artifacts (`<artifactUri>/model_card.md|html`). */
export function modelCardUris(artifactUri: string): { markdownUri: string; htmlUri: string } {
  const folder = artifactUri.replace(/\/+$/, '');
  return { markdownUri: `${folder}/model_card.md`, htmlUri: `${folder}/model_card.html` };
}
