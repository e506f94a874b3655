// The JSON of docs/EXAM-SITTING.md (the contract with emtihan/attempts/api.py).
export type Kind = "written" | "single" | "multiple" | "true_false" | "short" | "numeric";
export type AnswerStateName = "empty" | "draft" | "sent" | "edited";

export interface Receipt {
  version: number;
  sent_at: string;
  digest: string;
}

export type Content = Record<string, unknown>;

export interface AnswerState {
  question_id: number;
  content: Content | null;
  draft_version: number;
  saved_at: string | null;
  state: AnswerStateName;
  receipt: Receipt | null;
}

export interface QuestionData {
  id: number;
  number: number;
  kind: Kind;
  body_html: string;
  options: { id: string; html: string }[];
  points: number;
  answer: AnswerState;
}

export interface ExamData {
  id: number;
  title: string;
  description: string;
  allow_formulas: boolean;
  allow_drawings: boolean;
  allow_pictures: boolean;
  allowed_other: string;
}

export interface AttemptState {
  id: number;
  exam: ExamData;
  status: string;
  started_at: string;
  deadline: string;
  server_time: string;
  absence_seconds: number;
  absence_cap_seconds: number;
  questions: QuestionData[];
  /** The sitting token for the answer writes (X-Attempt-Token). */
  attempt_token?: string;
}

export interface SaveOut {
  draft_version: number;
  saved_at: string;
  server_time: string;
}

export interface SendOut {
  receipt: Receipt;
  draft_version: number;
  server_time: string;
}

export interface HeartbeatOut {
  server_time: string;
  deadline: string;
  status: string;
  absence_seconds: number;
  absence_cap_seconds: number;
  attempt_token?: string;
}

export interface ErrorOut {
  detail?: unknown;
  errors?: Record<string, string[]>;
  current?: AnswerState;
}

export interface PictureOut {
  id: number;
  src: string;
  width: number;
  height: number;
}

/** What the page keeps in IndexedDB until the server acknowledges it. */
export interface JournalEntry {
  key: string;
  attempt: number;
  qid: number;
  op: "draft" | "send";
  content: Content;
  base_version: number;
  time: number;
  /** pending: not yet on the wire; inflight: sent at least once (resend with this key). */
  state: "pending" | "inflight";
}
