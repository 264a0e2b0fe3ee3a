/** LanguageCode: JSON headers carry the name, ROCKETMQ binary headers the number. */
export const LanguageCode = {
  JAVA: 0,
  CPP: 1,
  DOTNET: 2,
  PYTHON: 3,
  DELPHI: 4,
  ERLANG: 5,
  RUBY: 6,
  OTHER: 7,
  HTTP: 8,
  GO: 9,
  PHP: 10,
  OMS: 11,
  RUST: 12,
  NODE_JS: 13,
} as const;
export type LanguageName = keyof typeof LanguageCode;

const BY_NUMBER = new Map<number, string>(Object.entries(LanguageCode).map(([k, v]) => [v, k]));

/** Unknown numbers are tolerated as `OTHER`, as RocketMQ peers must tolerate new languages. */
export function languageName(code: number): string {
  return BY_NUMBER.get(code) ?? "OTHER";
}

export function languageNumber(name: string): number {
  return (LanguageCode as Record<string, number>)[name] ?? LanguageCode.OTHER;
}
