// Masking of a reporter's personal data for roles that do not need it (docs/workflow.md §Roles; docs/api.md). Pure.

/** 13812341234 → 138****1234; short or odd numbers keep only their last two digits.
 * @example maskPhone('13812341234') // '138****1234' */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return phone;
  const digits = phone.replace(/\D/g, '');
  if (digits.length >= 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  return '*'.repeat(Math.max(0, digits.length - 2)) + digits.slice(-2);
}

/** 张三丰 → 张**; Alice Smith → A**** S****.
 * @example maskName('张三') // '张*' */
export function maskName(name: string | null): string | null {
  if (!name) return name;
  return name.split(/(\s+)/).map((part) => (/^\s+$/.test(part) ? part : [...part][0] + '*'.repeat(Math.max(1, [...part].length - 1)))).join('');
}
