"""The department portal (部门门户): server-rendered Chinese pages, no front-end build step."""
