-- One row per text question given to a reader instead of the captcha image: limits how many
-- one IP (or its hash) may take in an hour, and counts how much the alternative is used (the
-- dashboard). Rows older than 30 days are deleted.
create table captcha_question_use (
    used_at timestamptz not null default now(),
    ip      text not null
);
create index captcha_question_use_ip_idx on captcha_question_use (ip, used_at desc);
create index captcha_question_use_at_idx on captcha_question_use (used_at);
