// The mock embedding model's small lexicon: words folded to one canonical word (so common
// paraphrases land on the same features), words that carry no meaning for a question (dropped),
// and words that flip or pin a meaning (weighted up, so a negation or a changed number moves
// the vector far). It is a test model: big enough for the semantic-cache evaluation
// (gateway/test/cache/semantic/eval) to have a realistic curve, not a language model.

/** Each group's words all count as its first word. */
const SYNONYM_GROUPS: readonly string[] = [
  'capital capitol',
  'city town',
  'big large huge enormous',
  'small little tiny',
  'fast quick quickly rapid rapidly speedy',
  'slow slowly sluggish',
  'make create build generate produce construct',
  'fix repair resolve solve troubleshoot',
  'error errors bug bugs problem problems issue issues failure',
  'meaning definition mean means define meant',
  'display print output',
  'get obtain fetch retrieve acquire',
  'buy purchase order',
  'price cost costs priced expensive',
  'start begin launch initiate starting started beginning',
  'enable activate',
  'disable deactivate',
  'abbreviation acronym',
  'suggest recommend recommendation',
  'main primary principal',
  'bicycle bike',
  'productive productivity efficient',
  'backup',
  'name names',
  'scale scaling',
  'stop end halt terminate kill stopping',
  'delete remove erase drop deleting removing',
  'add insert append adding',
  'change modify alter update edit changing updating upgrade replace',
  'use utilize employ using used',
  'help assist support aid',
  'write compose draft author writing',
  'summarize summarise summary recap tldr condense',
  'translate translation convert converting',
  'car automobile vehicle auto',
  'house home residence dwelling',
  'doctor physician medic',
  'child kid children kids',
  'happy glad joyful cheerful',
  'sad unhappy upset depressed',
  'smart intelligent clever bright',
  'begin commence',
  'answer reply response respond',
  'question query ask',
  'recipe instructions steps',
  'cook prepare bake cooking making',
  'tell say inform',
  'find locate search look lookup',
  'file files document documents',
  'folder directory folders directories',
  'password passcode passphrase',
  'reset recover restore',
  'account profile login',
  'weather forecast climate',
  'temperature temp',
  'difference differences differ different compare comparison versus vs',
  'install setup set installation installing',
  'configure configuration config settings setting',
  'learn study learning',
  'best top greatest optimal',
  'good great nice fine',
  'bad poor terrible awful',
  'many much number count amount',
  'old age aged',
  'tall height high',
  'far distance away',
  'long length duration',
  'work works function functions operate working',
  'benefit benefits advantage advantages pros',
  'drawback drawbacks disadvantage disadvantages cons downside downsides',
  'example examples sample instance',
  'healthy health nutritious',
  'toxic poisonous poison harmful',
  'take bring carry',
  'sleep rest nap',
  'exercise workout training',
  'improve boost enhance increase better',
  'reduce decrease lower cut lessen',
  'movie film movies films',
  'book novel books',
  'song track songs',
  'author writer',
  'invent invented inventor created discovered discover',
  'happen happened occur occurred',
  'cause causes reason reasons why',
  'job career occupation employment',
  'email mail message e-mail',
  'send sending transmit',
  'sort order arrange sorting',
  'array list arrays',
  'string strings text',
  'function method procedure routine',
  'convert transform turn',
  'uppercase capitalize upper',
  'lowercase lower',
  'reverse invert backwards',
  'merge combine join concatenate',
  'split divide separate',
  'speed performance faster',
  'memory ram',
  'connect connection link attach',
  'database db',
  'server host machine',
  'picture image photo pictures images photos',
  'phone telephone smartphone mobile cellphone',
  'computer pc laptop',
  'ocean sea',
  'planet planets',
  'largest biggest',
  'smallest tiniest',
  'tallest highest',
  'fastest quickest',
  'population inhabitants people residents populous',
  'currency money',
  'language languages tongue',
  'travel trip journey visit',
  'rain raining rainy',
  'cold chilly freezing',
  'hot warm',
  'vacation holiday',
];

/** Words with no bearing on what is asked: politeness, articles, question scaffolding. */
const STOPWORDS = (
  'a an the is are was were be been am of to in on for at by with and or please can could would will you me i my ' +
  'your it its this that these those do does did what whats which how hey hi hello kindly just some there about ' +
  'into from as so us we our thanks thank know like want need give provide let lets quick briefly really actually ' +
  'tell show explain describe clarify elaborate im id should way ways anyone someone one s any all whole thing things go ' +
  'going simply simple terms using via get'
).split(' ');

/** Words that flip a meaning ("not", "without"): a question and its negation must stay apart. */
const NEGATIONS = (
  'not no never none nothing without dont doesnt isnt arent cant cannot wont shouldnt wasnt werent didnt neither ' + 'nor except avoid'
).split(' ');

/** Multi-word phrases folded to one word before the words are looked up. */
export const PHRASES: readonly (readonly [RegExp, string])[] = [
  [/\bturn(ed|s|ing)? on\b/g, 'enable'],
  [/\bturn(ed|s|ing)? off\b/g, 'disable'],
  [/\bset(ting)? up\b/g, 'setup'],
  [/\bback(ing)? up\b/g, 'backup'],
  [/\b(stand|stands|short) for\b/g, 'abbreviation'],
  [/\bhow (much|many) people live in\b/g, 'population'],
  [/\bhow fast\b/g, 'speed'],
  [/\bhow (much time|long)\b/g, 'duration'],
  [/\ba lot of\b/g, 'high'],
];

const synonyms = new Map<string, string>();
for (const line of SYNONYM_GROUPS) {
  const group = line.split(' ');
  const canonical = group[0] as string;
  for (const word of group) if (!synonyms.has(word)) synonyms.set(word, canonical);
}
const stopwords = new Set(STOPWORDS);
const negations = new Set(NEGATIONS);

export type WordClass = 'negation' | 'number' | 'word';

/** The word's canonical form and class; undefined for a word that carries no meaning here. */
export function canonicalWord(word: string): { word: string; kind: WordClass } | undefined {
  if (negations.has(word)) return { word: 'not', kind: 'negation' };
  if (/^[0-9][0-9.,]*$/.test(word)) return { word: word.replace(/,/g, ''), kind: 'number' };
  if (stopwords.has(word)) return undefined;
  return { word: synonyms.get(word) ?? word, kind: 'word' };
}
