/** The favicon and header logo: a folder with arrows both ways. */
export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#2563eb"/>
<path d="M7 10.5c0-1 .8-1.8 1.8-1.8h4.4l2 2.1h8c1 0 1.8.8 1.8 1.8v9.6c0 1-.8 1.8-1.8 1.8H8.8c-1 0-1.8-.8-1.8-1.8z" fill="#fff"/>
<path d="M13 21v-6.2m0 0-2.3 2.3m2.3-2.3 2.3 2.3M19 14v6.2m0 0-2.3-2.3m2.3 2.3 2.3-2.3" stroke="#2563eb" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round" fill="none"/>
</svg>
`;
