"""Training and exam reminders (培训考试提醒) for receiving units' staff."""
